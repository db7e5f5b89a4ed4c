-- User.DisplayName, the one field users may change about themselves. NULL
-- means not set. Skipped when the column exists (an application may have
-- added it to fastapi-fullauth's user model itself).

-- fullauth:unless-column fullauth_users display_name
ALTER TABLE fullauth_users ADD COLUMN display_name VARCHAR(100);
