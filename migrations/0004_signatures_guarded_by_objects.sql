-- HMAC replay protection moved to ReplayGuardDO: no D1 write on a signed request.
DROP TABLE `seen_signatures`;
