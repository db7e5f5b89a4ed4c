-- The tables of fastapi-fullauth's bundled SQLAlchemy/SQLModel models, as
-- SQLAlchemy renders them for PostgreSQL: native UUID keys, BOOLEAN,
-- TIMESTAMP WITH TIME ZONE. Every statement is IF NOT EXISTS, so this
-- migration adopts a database that fastapi-fullauth created; index names are
-- SQLAlchemy's, so no index is built twice.

CREATE TABLE IF NOT EXISTS fullauth_users (
	id UUID NOT NULL,
	email VARCHAR(320) NOT NULL,
	hashed_password TEXT,
	is_active BOOLEAN NOT NULL DEFAULT true,
	is_verified BOOLEAN NOT NULL DEFAULT false,
	is_superuser BOOLEAN NOT NULL DEFAULT false,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_fullauth_users_email ON fullauth_users (email);
-- Ours: emails are unique and looked up case-insensitively.
CREATE UNIQUE INDEX IF NOT EXISTS ix_fullauth_users_email_lower ON fullauth_users (lower(email));

CREATE TABLE IF NOT EXISTS fullauth_refresh_tokens (
	id UUID NOT NULL,
	token VARCHAR(512) NOT NULL,
	user_id UUID NOT NULL,
	family_id VARCHAR(36) NOT NULL,
	expires_at TIMESTAMP WITH TIME ZONE NOT NULL,
	revoked BOOLEAN NOT NULL DEFAULT false,
	user_agent VARCHAR(512),
	ip_address VARCHAR(45),
	created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
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
	id UUID NOT NULL,
	name VARCHAR(100) NOT NULL,
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_fullauth_roles_name ON fullauth_roles (name);

CREATE TABLE IF NOT EXISTS fullauth_user_roles (
	user_id UUID NOT NULL,
	role_id UUID NOT NULL,
	PRIMARY KEY (user_id, role_id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE,
	FOREIGN KEY (role_id) REFERENCES fullauth_roles (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_fullauth_user_roles_role_id ON fullauth_user_roles (role_id);

CREATE TABLE IF NOT EXISTS fullauth_permissions (
	id UUID NOT NULL,
	name VARCHAR(200) NOT NULL,
	description VARCHAR(500) NOT NULL DEFAULT '',
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX IF NOT EXISTS ix_fullauth_permissions_name ON fullauth_permissions (name);

CREATE TABLE IF NOT EXISTS fullauth_role_permissions (
	role_id UUID NOT NULL,
	permission_id UUID NOT NULL,
	PRIMARY KEY (role_id, permission_id),
	FOREIGN KEY (role_id) REFERENCES fullauth_roles (id) ON DELETE CASCADE,
	FOREIGN KEY (permission_id) REFERENCES fullauth_permissions (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_fullauth_role_permissions_permission_id ON fullauth_role_permissions (permission_id);

CREATE TABLE IF NOT EXISTS fullauth_oauth_accounts (
	id UUID NOT NULL,
	provider VARCHAR(50) NOT NULL,
	provider_user_id VARCHAR(320) NOT NULL,
	user_id UUID NOT NULL,
	provider_email VARCHAR(320),
	access_token TEXT,
	refresh_token TEXT,
	expires_at TIMESTAMP WITH TIME ZONE,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
	PRIMARY KEY (id),
	CONSTRAINT uq_oauth_provider_user UNIQUE (provider, provider_user_id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_fullauth_oauth_accounts_user_id ON fullauth_oauth_accounts (user_id);

CREATE TABLE IF NOT EXISTS fullauth_passkeys (
	id UUID NOT NULL,
	user_id UUID NOT NULL,
	credential_id VARCHAR(512) NOT NULL,
	public_key TEXT NOT NULL,
	sign_count BIGINT NOT NULL DEFAULT 0,
	device_name VARCHAR(200) NOT NULL DEFAULT '',
	transports VARCHAR(200) NOT NULL DEFAULT '',
	backed_up BOOLEAN NOT NULL DEFAULT false,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
	last_used_at TIMESTAMP WITH TIME ZONE,
	PRIMARY KEY (id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS ix_fullauth_passkeys_user_id ON fullauth_passkeys (user_id);
CREATE UNIQUE INDEX IF NOT EXISTS ix_fullauth_passkeys_credential_id ON fullauth_passkeys (credential_id);
