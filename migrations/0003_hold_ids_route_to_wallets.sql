-- Holds and transfers are found from their ids (hld_<wallet><random>), so D1 no longer maps them.
DROP TABLE `holds`;
