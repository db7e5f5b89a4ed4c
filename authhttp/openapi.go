package authhttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/fullauth/fullauth"
)

// docVersion is info.version of the OpenAPI document: the version of the
// API description, raised when the wire shapes change. The server's build
// version is reported elsewhere (/metrics).
const docVersion = "1.0.0"

// Names of the security schemes in components.securitySchemes.
const (
	bearerScheme = "HTTPBearer"
	cookieScheme = "APIKeyCookie"
)

// OpenAPI returns the OpenAPI 3.1 document of every route h serves (see
// [Handler.Routes]), as indented JSON. Paths are prefix joined with the
// route path, prefix being where the handler is mounted ("/api/v1/auth").
// Operations are tagged with tags; nil means the Auth's RouterTags
// (ROUTER_TAGS, default ["Auth"]), and an empty slice leaves them untagged.
//
// The document follows the configuration: the login field's name, whether
// registration answers 201/409 or always 202, whether rate limits (429)
// apply, and whether tokens also travel in cookies ([Options.Cookies]).
// The same handler always gives the same bytes.
func (h *Handler) OpenAPI(prefix string, tags []string) ([]byte, error) {
	return h.openAPI(prefix, tags, operations)
}

// openAPI builds the document from ops, the table of operations.
func (h *Handler) openAPI(prefix string, tags []string, ops map[string]opDoc) ([]byte, error) {
	if prefix != "" && !strings.HasPrefix(prefix, "/") {
		return nil, fmt.Errorf("authhttp: OpenAPI prefix %q must start with /", prefix)
	}
	prefix = strings.TrimRight(prefix, "/")
	cfg := h.auth.Config()
	if tags == nil {
		tags = cfg.RouterTags
	}
	// Paths and their operations keep the order the routes are mounted in
	// (register, login, refresh, …), which renderers show as is.
	var paths orderedMap
	items := map[string]*orderedMap{}
	for _, rt := range h.Routes() {
		doc, ok := ops[rt.Method+" "+rt.Path]
		if !ok {
			return nil, fmt.Errorf("authhttp: route %s %s has no OpenAPI entry (openapi.go)", rt.Method, rt.Path)
		}
		p := prefix + rt.Path
		item := items[p]
		if item == nil {
			item = &orderedMap{}
			items[p] = item
			paths = append(paths, keyValue{p, item})
		}
		*item = append(*item, keyValue{strings.ToLower(rt.Method), doc.operation(cfg, tags, rt.Auth || doc.token, h.cookies != nil)})
	}
	schemes := map[string]any{
		bearerScheme: map[string]any{
			"type":         "http",
			"scheme":       "bearer",
			"bearerFormat": "JWT",
			"description":  "The access_token of /login or /refresh, sent as \"Authorization: Bearer <token>\".",
		},
	}
	if h.cookies != nil {
		schemes[cookieScheme] = map[string]any{
			"type": "apiKey",
			"in":   "cookie",
			"name": h.cookies.c.AccessName,
			"description": "The HttpOnly access cookie set by /login and /refresh. A bearer header wins over it. " +
				"Unsafe methods must also pass the CSRF check when the server has it on.",
		}
	}
	spec := document{
		OpenAPI: "3.1.0",
		Info: map[string]any{
			"title":   "FullAuth",
			"version": docVersion,
			"description": "Account API: registration, password login with JWT access tokens and rotating refresh tokens, " +
				"profile, email verification and password reset. Errors are {\"detail\": string}; malformed request " +
				"bodies get 422 with a list of {type, loc, msg, input} objects, as FastAPI answers them.",
		},
		Paths: paths,
		Components: map[string]any{
			"schemas":         schemas(cfg),
			"responses":       sharedResponses(h.maxBody),
			"securitySchemes": schemes,
		},
	}
	// encoding/json writes struct fields in order and map keys sorted, and
	// orderedMap keeps its order, so the bytes are stable.
	data, err := marshalJSON(spec, "  ")
	if err != nil {
		return nil, fmt.Errorf("authhttp: OpenAPI: %w", err)
	}
	return data, nil
}

// document is the top level of an OpenAPI document, in the usual order.
type document struct {
	OpenAPI    string         `json:"openapi"`
	Info       map[string]any `json:"info"`
	Paths      orderedMap     `json:"paths"`
	Components map[string]any `json:"components"`
}

// orderedMap is a JSON object whose keys keep their order.
type orderedMap []keyValue

type keyValue struct {
	key   string
	value any
}

func (m orderedMap) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, kv := range m {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, err := marshalJSON(kv.key, "")
		if err != nil {
			return nil, err
		}
		value, err := marshalJSON(kv.value, "")
		if err != nil {
			return nil, err
		}
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(value)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// marshalJSON encodes v without escaping <, > and &, indented by indent
// if it is not empty.
func marshalJSON(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if indent == "" {
		return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
	}
	return buf.Bytes(), nil
}

// opDoc documents one route.
type opDoc struct {
	id, summary, description string
	// body names the request body's schema in components; "" for none.
	body         string
	bodyOptional bool
	// token marks a route that reads the access token without a guard
	// (logout), so it is documented as secured too.
	token   bool
	params  []param
	answers []answer
}

// param is a path or query parameter.
type param struct {
	name, in, desc string
	schema         map[string]any
}

// answer is one documented response.
type answer struct {
	status int
	// ref names a shared response in components.responses; otherwise desc
	// and schema (a components schema name, "" for no body) describe it.
	ref, desc, schema string
	// noStore documents the Cache-Control and Pragma headers of token
	// responses.
	noStore bool
	// cookies marks an answer that sets or deletes the token cookies, when
	// the handler uses them.
	cookies bool
	// onlyIf, when set, leaves the answer out unless the configuration
	// makes it possible.
	onlyIf func(fullauth.Config) bool
}

func revealsEmails(c fullauth.Config) bool { return c.RevealRegisteredEmails }
func hidesEmails(c fullauth.Config) bool   { return !c.RevealRegisteredEmails }
func rateLimited(c fullauth.Config) bool   { return !c.DisableRateLimit }

// Shared answers.
var (
	ansUnauthorized  = answer{status: http.StatusUnauthorized, ref: "Unauthorized"}
	ansForbidden     = answer{status: http.StatusForbidden, ref: "Forbidden"}
	ansTooLarge      = answer{status: http.StatusRequestEntityTooLarge, ref: "PayloadTooLarge"}
	ansInvalid       = answer{status: http.StatusUnprocessableEntity, ref: "InvalidBody"}
	ansInvalidPolicy = answer{status: http.StatusUnprocessableEntity, ref: "InvalidBodyOrRejected"}
	ansTooManyReqs   = answer{status: http.StatusTooManyRequests, ref: "TooManyRequests", onlyIf: rateLimited}
	ansUnavailable   = answer{status: http.StatusServiceUnavailable, ref: "Unavailable"}
	ansUser          = answer{status: http.StatusOK, desc: "The current user.", schema: "UserJSON"}
	// Administration.
	ansAdminForbidden = answer{status: http.StatusForbidden, ref: "Forbidden", desc: "The caller is not a superuser."}
	ansUserNotFound   = answer{status: http.StatusNotFound, desc: "User not found.", schema: "Detail"}
	ansTarget         = answer{status: http.StatusOK, desc: "The user as updated.", schema: "UserJSON"}
)

// operations documents every route of routes(), keyed by its pattern. A
// route without an entry makes OpenAPI fail, and a test with it.
var operations = map[string]opDoc{
	"POST /register": {
		id:      "register",
		summary: "Register a user",
		description: "Creates an account with a password that must satisfy the password policy (checked before the " +
			"duplicate check). Unknown keys are ignored. Unless the server reveals registered emails, a fresh and a " +
			"taken email get the same 202, and a verification email is sent to fresh ones.",
		body: "RegisterRequest",
		answers: []answer{
			{status: http.StatusCreated, desc: "Registered.", schema: "UserJSON", onlyIf: revealsEmails},
			{status: http.StatusAccepted, desc: "Accepted; the same answer whether or not the email was taken.", schema: "Detail", onlyIf: hidesEmails},
			{status: http.StatusConflict, desc: "A user with this email already exists.", schema: "Detail", onlyIf: revealsEmails},
			ansTooLarge, ansInvalidPolicy, ansTooManyReqs, ansUnavailable,
		},
	},
	"POST /login": {
		id:      "login",
		summary: "Log in with a password",
		description: "Checks the password and issues an access token and a refresh token. Every failure (unknown " +
			"identifier, wrong password, inactive or locked account) is the same 401.",
		body: "LoginRequest",
		answers: []answer{
			{status: http.StatusOK, desc: "Logged in.", schema: "LoginResponse", noStore: true, cookies: true},
			ansUnauthorized, ansTooLarge, ansInvalid, ansTooManyReqs, ansUnavailable,
		},
	},
	"POST /refresh": {
		id:      "refresh",
		summary: "Exchange a refresh token for new tokens",
		description: "Rotates the refresh token: the one presented is spent, and presenting it again outside a short " +
			"grace window revokes its whole session.",
		body:         "RefreshRequest",
		bodyOptional: true,
		answers: []answer{
			{status: http.StatusOK, desc: "New tokens.", schema: "TokenPair", noStore: true, cookies: true},
			ansUnauthorized, ansTooLarge, ansInvalid, ansTooManyReqs, ansUnavailable,
		},
	},
	"POST /logout": {
		id:      "logout",
		summary: "Log out",
		description: "Revokes the presented access token and the session (refresh-token family) it belongs to, or " +
			"that of the refresh token in the body.",
		body:         "RefreshRequest",
		bodyOptional: true,
		token:        true,
		answers: []answer{
			{status: http.StatusNoContent, desc: "Logged out.", cookies: true},
			ansUnauthorized, ansTooLarge, ansInvalid, ansUnavailable,
		},
	},
	"GET /me": {
		id:      "getMe",
		summary: "Get the current user",
		answers: []answer{ansUser, ansUnauthorized, ansUnavailable},
	},
	"GET /me/verified": {
		id:          "getVerifiedMe",
		summary:     "Get the current user, if verified",
		description: "As GET /me, for users who verified their email; others get 403.",
		answers:     []answer{ansUser, ansUnauthorized, ansForbidden, ansUnavailable},
	},
	"PATCH /me": {
		id:      "updateMe",
		summary: "Update the current user's profile",
		description: "Sets the fields present in the body (null clears). Protected fields (email, roles, flags, …) " +
			"are dropped silently; nothing left is a 400, and other unknown keys are a 422.",
		body: "ProfileUpdate",
		answers: []answer{
			{status: http.StatusOK, desc: "The updated user.", schema: "UserJSON"},
			{status: http.StatusBadRequest, desc: "No valid fields to update.", schema: "Detail"},
			ansUnauthorized, ansTooLarge, ansInvalidPolicy, ansUnavailable,
		},
	},
	"DELETE /me": {
		id:          "deleteMe",
		summary:     "Delete the current user",
		description: "Ends every session and deletes the account; its access tokens stop working.",
		answers:     []answer{{status: http.StatusNoContent, desc: "Deleted.", cookies: true}, ansUnauthorized, ansUnavailable},
	},
	"POST /change-password": {
		id:      "changePassword",
		summary: "Change the password",
		description: "Needs the current password when the account has one. Ends every session of the user, whose " +
			"access tokens stop working.",
		body: "ChangePasswordRequest",
		answers: []answer{
			{status: http.StatusOK, desc: "Password changed.", schema: "Detail"},
			{status: http.StatusBadRequest, desc: "Current password is incorrect.", schema: "Detail"},
			ansUnauthorized, ansTooLarge, ansInvalidPolicy, ansUnavailable,
		},
	},
	"POST /verify-email/request": {
		id:          "requestEmailVerification",
		summary:     "Send a verification email",
		description: "Sends the current user a verification link, unless already verified; the answer is the same.",
		answers: []answer{
			{status: http.StatusAccepted, desc: "Accepted.", schema: "Detail"},
			ansUnauthorized, ansTooManyReqs, ansUnavailable,
		},
	},
	"POST /verify-email/confirm": {
		id:          "confirmEmailVerification",
		summary:     "Verify an email address",
		description: "Spends a verification token from the email. A used, expired or invalid token is a 401.",
		body:        "TokenRequest",
		answers: []answer{
			{status: http.StatusOK, desc: "Email verified.", schema: "Detail"},
			ansUnauthorized, ansTooLarge, ansInvalid, ansTooManyReqs, ansUnavailable,
		},
	},
	"POST /password-reset/request": {
		id:          "requestPasswordReset",
		summary:     "Send a password reset email",
		description: "Sends a reset link if an active account has this email; the answer is the same either way.",
		body:        "EmailRequest",
		answers: []answer{
			{status: http.StatusAccepted, desc: "Accepted.", schema: "Detail"},
			ansTooLarge, ansInvalid, ansTooManyReqs, ansUnavailable,
		},
	},
	"POST /password-reset/confirm": {
		id:      "confirmPasswordReset",
		summary: "Reset the password",
		description: "Spends a reset token and sets the new password, which must satisfy the policy (a policy " +
			"failure leaves the token usable). Ends every session of the user.",
		body: "ResetConfirmRequest",
		answers: []answer{
			{status: http.StatusOK, desc: "Password reset.", schema: "Detail"},
			ansUnauthorized, ansTooLarge, ansInvalidPolicy, ansTooManyReqs, ansUnavailable,
		},
	},

	// Sessions (CONTRACT §3.7), mounted when the store keeps them.
	"GET /sessions": {
		id:          "listSessions",
		summary:     "List the current user's sessions",
		description: "Live sessions (refresh-token families), most recently used first; current marks the caller's.",
		answers: []answer{
			{status: http.StatusOK, desc: "The sessions.", schema: "SessionList"},
			ansUnauthorized, ansUnavailable,
		},
	},
	"DELETE /sessions/{family_id}": {
		id:          "endSession",
		summary:     "End one session",
		description: "Revokes the session's refresh tokens; its access tokens stop working too.",
		params:      []param{{name: "family_id", in: "path", desc: "The session's family_id.", schema: map[string]any{"type": "string"}}},
		answers: []answer{
			{status: http.StatusNoContent, desc: "Ended (also when it had ended already)."},
			ansUnauthorized,
			{status: http.StatusNotFound, desc: "Session not found (unknown, or another user's).", schema: "Detail"},
			ansUnavailable,
		},
	},
	"POST /sessions/revoke-others": {
		id:          "endOtherSessions",
		summary:     "End every other session",
		description: "Ends all of the user's sessions except the one of the presented access token.",
		answers: []answer{
			{status: http.StatusOK, desc: "\"Signed out <N> other session(s).\"", schema: "Detail"},
			ansUnauthorized, ansUnavailable,
		},
	},

	// Administration (CONTRACT §3.4 and user management), superusers only,
	// mounted for the capabilities the store has.
	"POST /admin/assign-role": {
		id:          "assignRole",
		summary:     "Give a user a role",
		description: "Creates the role if needed; assigning a role twice is harmless.",
		body:        "RoleAssignment",
		answers: []answer{
			{status: http.StatusOK, desc: "\"Role '<role>' assigned to user <user_id>.\"", schema: "Detail"},
			ansUnauthorized, ansAdminForbidden, ansUserNotFound, ansTooLarge, ansInvalidPolicy, ansUnavailable,
		},
	},
	"POST /admin/remove-role": {
		id:          "removeRole",
		summary:     "Take a role from a user",
		description: "Removing a role the user does not have is harmless.",
		body:        "RoleAssignment",
		answers: []answer{
			{status: http.StatusOK, desc: "\"Role '<role>' removed from user <user_id>.\"", schema: "Detail"},
			ansUnauthorized, ansAdminForbidden, ansTooLarge, ansInvalid, ansUnavailable,
		},
	},
	"POST /admin/assign-permission": {
		id:          "assignPermission",
		summary:     "Grant a permission to a role",
		description: "Creates the role and the permission if needed; granting twice is harmless.",
		body:        "PermissionAssignment",
		answers: []answer{
			{status: http.StatusOK, desc: "\"Permission '<permission>' assigned to role '<role>'.\"", schema: "Detail"},
			ansUnauthorized, ansAdminForbidden, ansTooLarge, ansInvalidPolicy, ansUnavailable,
		},
	},
	"POST /admin/remove-permission": {
		id:          "removePermission",
		summary:     "Withdraw a permission from a role",
		description: "Withdrawing a permission the role does not have is harmless.",
		body:        "PermissionAssignment",
		answers: []answer{
			{status: http.StatusOK, desc: "\"Permission '<permission>' removed from role '<role>'.\"", schema: "Detail"},
			ansUnauthorized, ansAdminForbidden, ansTooLarge, ansInvalid, ansUnavailable,
		},
	},
	"GET /admin/role-permissions/{role_name}": {
		id:      "getRolePermissions",
		summary: "List a role's permissions",
		params:  []param{{name: "role_name", in: "path", desc: "The role; an unknown one has no permissions.", schema: map[string]any{"type": "string"}}},
		answers: []answer{
			{status: http.StatusOK, desc: "The permission names.", schema: "PermissionList"},
			ansUnauthorized, ansAdminForbidden, ansUnavailable,
		},
	},
	"GET /admin/users": {
		id:          "listUsers",
		summary:     "List users",
		description: "A page of users with the total number matching.",
		params: []param{
			{name: "email", in: "query", desc: "Keep users whose email contains this text (case-insensitive).", schema: map[string]any{"type": "string"}},
			{name: "limit", in: "query", desc: "Page size.", schema: map[string]any{"type": "integer", "minimum": 1, "maximum": fullauth.MaxUserPage, "default": defaultUserPage}},
			{name: "offset", in: "query", desc: "Users to skip.", schema: map[string]any{"type": "integer", "minimum": 0, "default": 0}},
		},
		answers: []answer{
			{status: http.StatusOK, desc: "The page.", schema: "UserPage"},
			ansUnauthorized, ansAdminForbidden, ansInvalidPolicy, ansUnavailable,
		},
	},
	"GET /admin/users/{user_id}": {
		id:      "getUser",
		summary: "Get a user",
		params:  []param{userIDParam},
		answers: []answer{
			{status: http.StatusOK, desc: "The user.", schema: "UserJSON"},
			ansUnauthorized, ansAdminForbidden, ansUserNotFound, ansUnavailable,
		},
	},
	"POST /admin/users/{user_id}/activate": {
		id:      "activateUser",
		summary: "Activate a user",
		params:  []param{userIDParam},
		answers: []answer{ansTarget, ansUnauthorized, ansAdminForbidden, ansUserNotFound, ansUnavailable},
	},
	"POST /admin/users/{user_id}/deactivate": {
		id:          "deactivateUser",
		summary:     "Deactivate a user",
		description: "The user can no longer sign in, and every session ends at once, access tokens included.",
		params:      []param{userIDParam},
		answers:     []answer{ansTarget, ansUnauthorized, ansAdminForbidden, ansUserNotFound, ansUnavailable},
	},
	"DELETE /admin/users/{user_id}": {
		id:          "deleteUser",
		summary:     "Delete a user",
		description: "Ends every session of the user and deletes the account with everything stored for it.",
		params:      []param{userIDParam},
		answers: []answer{
			{status: http.StatusNoContent, desc: "Deleted."},
			ansUnauthorized, ansAdminForbidden, ansUserNotFound, ansUnavailable,
		},
	},
}

var userIDParam = param{name: "user_id", in: "path", desc: "The user's id.", schema: map[string]any{"type": "string"}}

// operation renders d as an OpenAPI operation object.
func (d opDoc) operation(cfg fullauth.Config, tags []string, secured, cookies bool) map[string]any {
	op := map[string]any{"operationId": d.id, "summary": d.summary}
	if d.description != "" {
		op["description"] = d.description
	}
	if len(tags) > 0 {
		op["tags"] = tags
	}
	if secured {
		// Either scheme will do.
		security := []any{map[string]any{bearerScheme: []string{}}}
		if cookies {
			security = append(security, map[string]any{cookieScheme: []string{}})
		}
		op["security"] = security
	}
	if len(d.params) > 0 {
		params := make([]any, len(d.params))
		for i, p := range d.params {
			params[i] = map[string]any{"name": p.name, "in": p.in, "required": p.in == "path", "description": p.desc, "schema": p.schema}
		}
		op["parameters"] = params
	}
	if d.body != "" {
		op["requestBody"] = map[string]any{
			"required": !d.bodyOptional,
			"content":  jsonContent(schemaRef(d.body)),
		}
	}
	responses := map[string]any{}
	for _, a := range d.answers {
		if a.onlyIf != nil && !a.onlyIf(cfg) {
			continue
		}
		responses[strconv.Itoa(a.status)] = a.response(cookies)
	}
	op["responses"] = responses
	return op
}

// response renders a as an OpenAPI response object, for a handler using
// the cookie transport if cookies.
func (a answer) response(cookies bool) map[string]any {
	if a.ref != "" {
		r := map[string]any{"$ref": "#/components/responses/" + a.ref}
		if a.desc != "" {
			// OpenAPI 3.1: a description next to $ref overrides the
			// referenced one.
			r["description"] = a.desc
		}
		return r
	}
	r := map[string]any{"description": a.desc}
	if a.schema != "" {
		r["content"] = jsonContent(schemaRef(a.schema))
	}
	headers := map[string]any{}
	if a.noStore {
		headers["Cache-Control"] = header("Token responses are never cached.", true, enumString("no-store"))
		headers["Pragma"] = header("", true, enumString("no-cache"))
	}
	if a.cookies && cookies {
		headers["Set-Cookie"] = header("Sets (or, on 204, deletes) the HttpOnly access and refresh cookies; "+
			"bodies then carry \"refresh_token\": null.", true, map[string]any{"type": "string"})
	}
	if len(headers) > 0 {
		r["headers"] = headers
	}
	return r
}

func schemaRef(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

func header(desc string, required bool, schema any) map[string]any {
	h := map[string]any{"schema": schema, "required": required}
	if desc != "" {
		h["description"] = desc
	}
	return h
}

func enumString(values ...string) map[string]any {
	return map[string]any{"type": "string", "enum": values}
}

func detailResponse(desc string) map[string]any {
	return map[string]any{"description": desc, "content": jsonContent(schemaRef("Detail"))}
}

// sharedResponses are the error answers many routes give
// (components.responses), for a handler taking bodies of maxBody bytes.
func sharedResponses(maxBody int64) map[string]any {
	return map[string]any{
		"Unauthorized": map[string]any{
			"description": "Not authenticated: a missing, invalid, expired, revoked or spent token, or rejected " +
				"credentials. Always {\"detail\": \"Could not validate credentials\"}.",
			"headers": map[string]any{"WWW-Authenticate": header("", true, enumString("Bearer"))},
			"content": jsonContent(schemaRef("Detail")),
		},
		"Forbidden":       detailResponse("Not enough permissions."),
		"PayloadTooLarge": detailResponse("The request body is larger than " + strconv.FormatInt(maxBody, 10) + " bytes."),
		"InvalidBody": map[string]any{
			"description": "The request is malformed: one entry per problem.",
			"content":     jsonContent(schemaRef("HTTPValidationError")),
		},
		"InvalidBodyOrRejected": map[string]any{
			"description": "The request is malformed (detail is a list, one entry per problem), or a value was " +
				"rejected (detail is a string, such as the password policy's message).",
			"content": jsonContent(map[string]any{"anyOf": []any{schemaRef("HTTPValidationError"), schemaRef("Detail")}}),
		},
		"TooManyRequests": map[string]any{
			"description": "Rate limit exceeded for this client address.",
			"headers": map[string]any{
				"Retry-After":           header("Seconds until a request may succeed.", true, map[string]any{"type": "integer"}),
				"X-RateLimit-Limit":     header("Requests allowed per window.", true, map[string]any{"type": "integer"}),
				"X-RateLimit-Remaining": header("Always 0 here.", true, map[string]any{"type": "integer"}),
				"X-RateLimit-Reset":     header("Seconds until the window frees a request.", true, map[string]any{"type": "integer"}),
			},
			"content": jsonContent(schemaRef("Detail")),
		},
		"Unavailable": detailResponse("Shared state (revocation, lockout, one-time tokens) could not be read; " +
			"the request was refused rather than risk accepting a revoked token. Retry later."),
	}
}

// schemas are components.schemas for cfg.
func schemas(cfg fullauth.Config) map[string]any {
	str := map[string]any{"type": "string"}
	nullableStr := map[string]any{"type": []string{"string", "null"}}
	email := map[string]any{"type": "string", "format": "email"}
	dateTime := map[string]any{"type": "string", "format": "date-time"}
	object := func(title, desc string, required []string, props map[string]any) map[string]any {
		o := map[string]any{"type": "object", "title": title, "properties": props}
		if desc != "" {
			o["description"] = desc
		}
		if required != nil {
			o["required"] = required
		}
		return o
	}
	login := cfg.LoginField
	if login == "" {
		login = "email"
	}
	tokenProps := func() map[string]any {
		return map[string]any{
			"access_token":  map[string]any{"type": "string", "description": "JWT to send as a bearer token."},
			"refresh_token": map[string]any{"type": []string{"string", "null"}, "description": "Refresh token; null when a cookie carries it."},
			"token_type":    enumString("bearer"),
			"expires_in":    map[string]any{"type": "integer", "description": "Lifetime of the access token in seconds."},
		}
	}
	loginProps := tokenProps()
	loginProps["user"] = schemaRef("UserJSON")
	return map[string]any{
		"RegisterRequest": object("RegisterRequest", "", []string{"email", "password"}, map[string]any{
			"email":    email,
			"password": map[string]any{"type": "string", "description": "Must satisfy the password policy (at most 1024 bytes)."},
		}),
		"LoginRequest": object("LoginRequest", "", []string{login, "password"}, map[string]any{
			login:      str,
			"password": str,
		}),
		"RefreshRequest": object("RefreshRequest", "", nil, map[string]any{
			"refresh_token": nullableStr,
		}),
		"ProfileUpdate": object("ProfileUpdate", "Fields users may change about themselves; protected fields are ignored.", nil, map[string]any{
			"display_name": map[string]any{"type": []string{"string", "null"}, "maxLength": 100},
		}),
		"ChangePasswordRequest": object("ChangePasswordRequest", "", []string{"new_password"}, map[string]any{
			"current_password": map[string]any{"type": []string{"string", "null"}, "description": "Required when the account has a password."},
			"new_password":     str,
		}),
		"RoleAssignment": object("RoleAssignment", "", []string{"user_id", "role"}, map[string]any{
			"user_id": map[string]any{"type": "string", "format": "uuid"},
			"role":    map[string]any{"type": "string", "description": "1 to 100 characters."},
		}),
		"PermissionAssignment": object("PermissionAssignment", "", []string{"role", "permission"}, map[string]any{
			"role":       map[string]any{"type": "string", "description": "1 to 100 characters."},
			"permission": map[string]any{"type": "string", "description": "1 to 200 characters."},
		}),
		"PermissionList": map[string]any{"type": "array", "title": "PermissionList", "items": str},
		"SessionJSON": object("SessionJSON", "A sign-in session: one refresh-token family.",
			[]string{"family_id", "ip_address", "user_agent", "created_at", "last_used_at", "expires_at", "current"}, map[string]any{
				"family_id":    str,
				"ip_address":   nullableStr,
				"user_agent":   nullableStr,
				"created_at":   dateTime,
				"last_used_at": dateTime,
				"expires_at":   dateTime,
				"current":      map[string]any{"type": "boolean", "description": "Whether this is the session of the presented access token."},
			}),
		"SessionList": map[string]any{"type": "array", "title": "SessionList", "items": schemaRef("SessionJSON")},
		"UserPage": object("UserPage", "", []string{"items", "total", "limit", "offset"}, map[string]any{
			"items":  map[string]any{"type": "array", "items": schemaRef("UserJSON")},
			"total":  map[string]any{"type": "integer", "description": "Users matching, over all pages."},
			"limit":  map[string]any{"type": "integer"},
			"offset": map[string]any{"type": "integer"},
		}),
		"TokenRequest": object("TokenRequest", "", []string{"token"}, map[string]any{"token": str}),
		"EmailRequest": object("EmailRequest", "", []string{"email"}, map[string]any{"email": email}),
		"ResetConfirmRequest": object("ResetConfirmRequest", "", []string{"token", "new_password"}, map[string]any{
			"token":        str,
			"new_password": str,
		}),
		"UserJSON": object("UserJSON", "", []string{"id", "email", "is_active", "is_verified", "is_superuser", "display_name", "roles"}, map[string]any{
			"id":           str,
			"email":        email,
			"is_active":    map[string]any{"type": "boolean"},
			"is_verified":  map[string]any{"type": "boolean"},
			"is_superuser": map[string]any{"type": "boolean"},
			"display_name": nullableStr,
			"roles":        map[string]any{"type": "array", "items": str},
		}),
		"TokenPair":     object("TokenPair", "", []string{"access_token", "refresh_token", "token_type", "expires_in"}, tokenProps()),
		"LoginResponse": object("LoginResponse", "", []string{"access_token", "refresh_token", "token_type", "expires_in", "user"}, loginProps),
		"Detail":        object("Detail", "", []string{"detail"}, map[string]any{"detail": str}),
		"ValidationError": object("ValidationError", "", []string{"type", "loc", "msg", "input"}, map[string]any{
			"type": str,
			"loc": map[string]any{"type": "array", "items": map[string]any{
				"anyOf": []any{str, map[string]any{"type": "integer"}},
			}},
			"msg": str,
			// Any JSON value. Spelled out rather than {}: kin-openapi checks
			// schemas with $refs by OpenAPI 3.0 rules, where {} refuses null.
			"input": map[string]any{
				"type":        []string{"array", "boolean", "null", "number", "object", "string"},
				"description": "The offending value.",
			},
			"ctx": map[string]any{"type": "object"},
		}),
		"HTTPValidationError": object("HTTPValidationError", "", []string{"detail"}, map[string]any{
			"detail": map[string]any{"type": "array", "items": schemaRef("ValidationError")},
		}),
	}
}
