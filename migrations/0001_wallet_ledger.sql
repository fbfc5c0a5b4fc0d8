CREATE TABLE `holds` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`mode` text NOT NULL,
	`wallet_id` text NOT NULL,
	`user_id` text NOT NULL,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `holds_merchant` ON `holds` (`merchant_id`,`mode`);--> statement-breakpoint
ALTER TABLE `merchants` ADD `sandbox_clock_offset_seconds` integer DEFAULT 0 NOT NULL;