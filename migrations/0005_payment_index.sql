CREATE TABLE `checkouts` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`mode` text NOT NULL,
	`kind` text NOT NULL,
	`status` text NOT NULL,
	`payment_id` text,
	`next_deadline_ms` integer,
	`version` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `checkouts_deadline` ON `checkouts` (`merchant_id`,`mode`,`next_deadline_ms`);--> statement-breakpoint
CREATE TABLE `payments` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`mode` text NOT NULL,
	`checkout_id` text NOT NULL,
	`method` text NOT NULL,
	`status` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`captured_amount` integer NOT NULL,
	`refunded_amount` integer NOT NULL,
	`version` integer NOT NULL,
	`created_at_ms` integer NOT NULL,
	`updated_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `payments_merchant_time` ON `payments` (`merchant_id`,`mode`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `payments_merchant_status_time` ON `payments` (`merchant_id`,`mode`,`status`,`created_at_ms`);