-- Events (the index of what objects recorded), webhook endpoints and every delivery attempt.
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`mode` text NOT NULL,
	`type` text NOT NULL,
	`data` text NOT NULL,
	`request_id` text,
	`idempotency_key` text,
	`created_at_ms` integer NOT NULL,
	`fanned_out_at_ms` integer
);
--> statement-breakpoint
CREATE INDEX `events_merchant_time` ON `events` (`merchant_id`,`mode`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `events_merchant_type_time` ON `events` (`merchant_id`,`mode`,`type`,`created_at_ms`);--> statement-breakpoint
CREATE INDEX `events_unfanned` ON `events` (`fanned_out_at_ms`,`created_at_ms`);--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`endpoint_id` text NOT NULL,
	`event_id` text NOT NULL,
	`merchant_id` text NOT NULL,
	`mode` text NOT NULL,
	`attempt` integer NOT NULL,
	`outcome` text NOT NULL,
	`response_status` integer,
	`latency_ms` integer,
	`response_excerpt` text,
	`attempted_at_ms` integer NOT NULL,
	`next_retry_at_ms` integer
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_endpoint` ON `webhook_deliveries` (`endpoint_id`,`attempted_at_ms`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_event` ON `webhook_deliveries` (`event_id`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`merchant_id` text NOT NULL,
	`mode` text NOT NULL,
	`url` text NOT NULL,
	`events` text NOT NULL,
	`description` text,
	`status` text NOT NULL,
	`disabled_reason` text,
	`secret_sealed` text NOT NULL,
	`previous_secret_sealed` text,
	`previous_secret_expires_at_ms` integer,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_merchant` ON `webhook_endpoints` (`merchant_id`,`mode`);