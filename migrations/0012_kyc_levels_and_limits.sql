ALTER TABLE `merchants` ADD `kyc_limits` text;--> statement-breakpoint
ALTER TABLE `users` ADD `kyc_level` text DEFAULT 'none' NOT NULL;