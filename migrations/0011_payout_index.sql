CREATE TABLE `payouts` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`mode` text NOT NULL,
	`user_id` text,
	`status` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`next_rail_at_ms` integer,
	`version` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payouts_merchant_time` ON `payouts` (`merchant_id`,`mode`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `payouts_merchant_user_time` ON `payouts` (`merchant_id`,`mode`,`user_id`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `payouts_merchant_rail` ON `payouts` (`merchant_id`,`mode`,`next_rail_at_ms`);