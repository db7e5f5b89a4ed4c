-- The tables of fastapi-fullauth's bundled SQLAlchemy/SQLModel models, as
-- SQLAlchemy renders them for MySQL and MariaDB: UUID keys are CHAR(32)
-- lowercase hex without hyphens, booleans are BOOL (TINYINT(1)), timestamps
-- are UTC DATETIME (ours keep microseconds; SQLAlchemy's DATETIME keeps
-- seconds, and both read back the same way).
--
-- Key and foreign-key columns take the database's default character set and
-- collation, as SQLAlchemy's did: MySQL refuses a foreign key between
-- columns of different collations, and this way the tables created here can
-- reference tables fastapi-fullauth created. Every text column that is not a
-- key names its own: utf8mb4_unicode_ci for the email (case-insensitive
-- uniqueness), utf8mb4_bin for names, hashes and ids that must compare
-- exactly, utf8mb4 for the rest.
--
-- Every statement is skipped when its table or index exists, so this
-- migration adopts a database that fastapi-fullauth created; index names are
-- SQLAlchemy's, so no index is built twice.

CREATE TABLE IF NOT EXISTS fullauth_users (
	id CHAR(32) NOT NULL,
	email VARCHAR(320) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
	hashed_password TEXT CHARACTER SET utf8mb4 NULL,
	is_active BOOL NOT NULL DEFAULT 1,
	is_verified BOOL NOT NULL DEFAULT 0,
	is_superuser BOOL NOT NULL DEFAULT 0,
	created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	PRIMARY KEY (id),
	UNIQUE KEY ix_fullauth_users_email (email)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS fullauth_refresh_tokens (
	id CHAR(32) NOT NULL,
	token VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	user_id CHAR(32) NOT NULL,
	family_id VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	expires_at DATETIME(6) NOT NULL,
	revoked BOOL NOT NULL DEFAULT 0,
	user_agent VARCHAR(512) CHARACTER SET utf8mb4 NULL,
	ip_address VARCHAR(45) CHARACTER SET utf8mb4 NULL,
	created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	PRIMARY KEY (id),
	UNIQUE KEY ix_fullauth_refresh_tokens_token (token),
	KEY ix_fullauth_refresh_tokens_family_id (family_id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE
) ENGINE=InnoDB;
-- Ours, for the sessions routes with a long history: every row of one
-- user's family (EndSession, the Sessions aggregate, the user_id foreign
-- key); and the user's rows by revoked state and expiry, so Sessions finds
-- the live families without reading revoked or expired rows (also
-- EndOtherSessions and revoking by user).
-- fullauth:unless-index fullauth_refresh_tokens ix_fullauth_refresh_tokens_user_family
CREATE INDEX ix_fullauth_refresh_tokens_user_family ON fullauth_refresh_tokens (user_id, family_id, created_at);
-- fullauth:unless-index fullauth_refresh_tokens ix_fullauth_refresh_tokens_user_live
CREATE INDEX ix_fullauth_refresh_tokens_user_live ON fullauth_refresh_tokens (user_id, revoked, expires_at, family_id);

CREATE TABLE IF NOT EXISTS fullauth_roles (
	id CHAR(32) NOT NULL,
	name VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	PRIMARY KEY (id),
	UNIQUE KEY ix_fullauth_roles_name (name)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS fullauth_user_roles (
	user_id CHAR(32) NOT NULL,
	role_id CHAR(32) NOT NULL,
	PRIMARY KEY (user_id, role_id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE,
	FOREIGN KEY (role_id) REFERENCES fullauth_roles (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS fullauth_permissions (
	id CHAR(32) NOT NULL,
	name VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	description VARCHAR(500) CHARACTER SET utf8mb4 NOT NULL DEFAULT '',
	PRIMARY KEY (id),
	UNIQUE KEY ix_fullauth_permissions_name (name)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS fullauth_role_permissions (
	role_id CHAR(32) NOT NULL,
	permission_id CHAR(32) NOT NULL,
	PRIMARY KEY (role_id, permission_id),
	FOREIGN KEY (role_id) REFERENCES fullauth_roles (id) ON DELETE CASCADE,
	FOREIGN KEY (permission_id) REFERENCES fullauth_permissions (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS fullauth_oauth_accounts (
	id CHAR(32) NOT NULL,
	provider VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	provider_user_id VARCHAR(320) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	user_id CHAR(32) NOT NULL,
	provider_email VARCHAR(320) CHARACTER SET utf8mb4 NULL,
	access_token TEXT CHARACTER SET utf8mb4 NULL,
	refresh_token TEXT CHARACTER SET utf8mb4 NULL,
	expires_at DATETIME(6) NULL,
	created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	PRIMARY KEY (id),
	CONSTRAINT uq_oauth_provider_user UNIQUE (provider, provider_user_id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS fullauth_passkeys (
	id CHAR(32) NOT NULL,
	user_id CHAR(32) NOT NULL,
	credential_id VARCHAR(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
	public_key TEXT CHARACTER SET utf8mb4 NOT NULL,
	sign_count BIGINT NOT NULL DEFAULT 0,
	device_name VARCHAR(200) CHARACTER SET utf8mb4 NOT NULL DEFAULT '',
	transports VARCHAR(200) CHARACTER SET utf8mb4 NOT NULL DEFAULT '',
	backed_up BOOL NOT NULL DEFAULT 0,
	created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
	last_used_at DATETIME(6) NULL,
	PRIMARY KEY (id),
	KEY ix_fullauth_passkeys_user_id (user_id),
	UNIQUE KEY ix_fullauth_passkeys_credential_id (credential_id),
	FOREIGN KEY (user_id) REFERENCES fullauth_users (id) ON DELETE CASCADE
) ENGINE=InnoDB;
