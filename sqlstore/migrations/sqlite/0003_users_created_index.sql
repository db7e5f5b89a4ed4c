-- Ours, for listing users (ListUsers): pages are ordered by created_at and
-- then id, so with this index a page is read in order, as far as its end,
-- instead of the whole table being sorted for every page. (Searching by a
-- part of the email cannot use a btree index; the count of matches reads
-- every row either way.)
CREATE INDEX IF NOT EXISTS ix_fullauth_users_created_id ON fullauth_users (created_at, id);
