-- The tables of fastapi-fullauth's bundled SQLAlchemy/SQLModel models, as
-- SQLAlchemy renders them for SQLite: UUID keys are CHAR(32) lowercase hex
-- without hyphens, booleans are 0/1, timestamps are UTC text
-- 'YYYY-MM-DD HH:MM:SS.ffffff'. Every statement is IF NOT EXISTS, so this
-- migration adopts a database that fastapi-fullauth created; index names are
-- SQLAlchemy's, so no index is built twice.

CREATE TABLE IF NOT EXISTS fullauth_users (
	id CHAR(32) NOT NULL,
	email VARCHAR(320) NOT NULL COLLATE NOCASE,
	hashed_password TEXT,
	is_active BOOLEAN NOT NULL DEFAULT 1,
	is_verified BOOLEAN NOT NULL DEFAULT 0,
	is_superuser BOOLEAN NOT NULL DEFAULT 0,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_fullauth_users_email ON fullauth_users (email);

CREATE TABLE IF NOT EXISTS fullauth_refresh_tokens (
	id CHAR(32) NOT NULL,
	token VARCHAR(512) NOT NULL,
	user_id CHAR(32) NOT NULL,
	family_id VARCHAR(36) NOT NULL,
	expires_at DATETIME NOT NULL,
	revoked BOOLEAN NOT NULL DEFAULT 0,
	user_agent VARCHAR(512),
	ip_address VARCHAR(45),
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_fullauth_refresh_tokens_token ON fullauth_refresh_tokens (token);
CREATE INDEX IF NOT EXISTS ix_fullauth_refresh_tokens_family_id ON fullauth_refresh_tokens (family_id);
-- Ours, for the sessions routes with a long history: every row of one
-- user's family (EndSession, the Sessions aggregate, the user_id foreign
-- key); and the user's unrevoked rows by expiry, so Sessions finds the live
-- families without reading revoked or expired rows (also EndOtherSessions
-- and revoking by user).
CREATE INDEX IF NOT EXISTS ix_fullauth_refresh_tokens_user_family ON fullauth_refresh_tokens (user_id, family_id, created_at);
CREATE INDEX IF NOT EXISTS ix_fullauth_refresh_tokens_user_live ON fullauth_refresh_tokens (user_id, expires_at, family_id) WHERE revoked = false;

CREATE TABLE IF NOT EXISTS fullauth_roles (
	id CHAR(32) NOT NULL,
	name VARCHAR(100) NOT NULL,
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_fullauth_roles_name ON fullauth_roles (name);

CREATE TABLE IF NOT EXISTS fullauth_user_roles (
	user_id CHAR(32) NOT NULL,
	role_id CHAR(32) NOT NULL,
	PRIMARY KEY (user_id, role_id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE,
	FOREIGN KEY (role_id) REFERENCES fullauth_roles (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_fullauth_user_roles_role_id ON fullauth_user_roles (role_id);

CREATE TABLE IF NOT EXISTS fullauth_permissions (
	id CHAR(32) NOT NULL,
	name VARCHAR(200) NOT NULL,
	description VARCHAR(500) NOT NULL DEFAULT '',
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_fullauth_permissions_name ON fullauth_permissions (name);

CREATE TABLE IF NOT EXISTS fullauth_role_permissions (
	role_id CHAR(32) NOT NULL,
	permission_id CHAR(32) NOT NULL,
	PRIMARY KEY (role_id, permission_id),
	FOREIGN KEY (role_id) REFERENCES fullauth_roles (id) ON DELETE CASCADE,
	FOREIGN KEY (permission_id) REFERENCES fullauth_permissions (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_fullauth_role_permissions_permission_id ON fullauth_role_permissions (permission_id);

CREATE TABLE IF NOT EXISTS fullauth_oauth_accounts (
	id CHAR(32) NOT NULL,
	provider VARCHAR(50) NOT NULL,
	provider_user_id VARCHAR(320) NOT NULL,
	user_id CHAR(32) NOT NULL,
	provider_email VARCHAR(320),
	access_token TEXT,
	refresh_token TEXT,
	expires_at DATETIME,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	PRIMARY KEY (id),
	CONSTRAINT uq_oauth_provider_user UNIQUE (provider, provider_user_id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_fullauth_oauth_accounts_user_id ON fullauth_oauth_accounts (user_id);

CREATE TABLE IF NOT EXISTS fullauth_passkeys (
	id CHAR(32) NOT NULL,
	user_id CHAR(32) NOT NULL,
	credential_id VARCHAR(512) NOT NULL,
	public_key TEXT NOT NULL,
	sign_count BIGINT NOT NULL DEFAULT 0,
	device_name VARCHAR(200) NOT NULL DEFAULT '',
	transports VARCHAR(200) NOT NULL DEFAULT '',
	backed_up BOOLEAN NOT NULL DEFAULT 0,
	created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
	last_used_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_fullauth_passkeys_user_id ON fullauth_passkeys (user_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_fullauth_passkeys_credential_id ON fullauth_passkeys (credential_id);
