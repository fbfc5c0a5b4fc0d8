-- The platform's revenue wallets, one per mode: commission on every capture lands here.
INSERT INTO `wallets` (`id`, `merchant_id`, `mode`, `kind`, `user_id`, `status`, `created_at`)
VALUES ('wal_platform_sandbox', 'platform', 'sandbox', 'platform', NULL, 'active', '2026-11-24T00:00:00Z');
--> statement-breakpoint
INSERT INTO `wallets` (`id`, `merchant_id`, `mode`, `kind`, `user_id`, `status`, `created_at`)
VALUES ('wal_platform_live', 'platform', 'live', 'platform', NULL, 'active', '2026-11-24T00:00:00Z');
