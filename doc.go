// Package fullauth is authentication for Go services: registration, login
// with argon2id or bcrypt passwords, JWT access tokens with rotating refresh
// tokens and reuse detection, email verification, password reset, lockout
// and revocation that hold across processes.
//
// An [Auth] runs the account flows over a [Store] (users and refresh tokens;
// see the memstore and sqlstore packages) and a [KV] (short-lived shared
// state). It speaks no HTTP; the authhttp package puts it on the wire, and
// cmd/fullauth runs it as a server. The behaviour follows the Python library
// fastapi-fullauth, so databases, tokens and frontends written for it keep
// working.
package fullauth
