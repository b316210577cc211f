-- What each product's image was stored from, so that a feed run again can
-- tell the same image from a changed one without analysing it again: the
-- SHA-256 (hex) of the file analysed, and the link it was fetched from (null
-- when the file was sent). Both are null for products stored before.
alter table products add column image_sha256 text, add column image_url text;
