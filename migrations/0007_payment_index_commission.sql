-- The payments index keeps what the platform keeps on each payment, so GET /payments shows the
-- same commission_amount and merchant_amount as the payment itself.
-- Rows indexed before this column: refunds return commission so that what the platform keeps is
-- always the commission on captured − refunded, rounded half up (floor((x × bps + 5000) / 10000)),
-- at the merchant's commission_bps, the rate of every capture it made (no route changes it). A row
-- left null is read from its payment by GET /payments.
ALTER TABLE `payments` ADD `commission_amount` integer;--> statement-breakpoint
UPDATE `payments` SET `commission_amount` = ((`captured_amount` - `refunded_amount`) * (SELECT `commission_bps` FROM `merchants` WHERE `merchants`.`id` = `payments`.`merchant_id`) + 5000) / 10000 WHERE `commission_amount` IS NULL;
