-- A user's version, bumped by each sync that changes it: user.synced is recorded once per change,
-- with an id derived from (user, version), and never for a sync that changes nothing.
ALTER TABLE `users` ADD `version` integer DEFAULT 1 NOT NULL;
