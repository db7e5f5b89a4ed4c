// Package token mints and verifies the JSON Web Tokens of fullauth: HMAC
// JWTs (HS256, HS384 or HS512) that are byte-compatible with those of the
// Python library fastapi-fullauth, which signs them with PyJWT. A token
// minted by either side verifies on the other with the same key.
//
// The package imports nothing outside the standard library and nothing else
// from fullauth, so a resource server that only needs to check fullauth
// access tokens can use it alone:
//
//	v, err := token.NewVerifier(token.HS256, secretKey, 30*time.Second)
//	...
//	c, err := v.Verify(raw, time.Now())
//	if err != nil || c.Type != token.TypeAccess || c.Purpose != "" {
//		// answer 401
//	}
//
// # Claim set
//
// Every token carries the claims of [Claims]:
//
//	sub        subject (user id as text), required
//	exp, iat   expiry and issue time, integer unix seconds, required
//	jti        token id (32 lowercase hex chars when fullauth mints it)
//	type       "access" or "refresh"
//	roles      role names, access tokens only (informational)
//	extra      JSON object of custom claims, access tokens only; purpose
//	           tokens (email verification, password reset, OAuth state)
//	           put their purpose in extra.purpose
//	family_id  the session (refresh-token family), when known
//
// A refresh token carries sub, exp, iat, jti, type and family_id only.
// [Signer.Sign] writes the claims in exactly this order, in compact JSON
// with non-ASCII text escaped as \uXXXX, the way PyJWT's json.dumps does;
// the header is always {"alg":"HS256","typ":"JWT"} (with the configured
// algorithm). Signing is deterministic: equal claims give equal tokens.
//
// # Verification rules
//
// [Verifier.Verify] accepts a token only when all of these hold, checked in
// this order:
//
//   - it is at most [MaxTokenSize] bytes, in three segments of unpadded,
//     canonical base64url;
//   - the header is a JSON object of at most 512 bytes whose "alg" is
//     exactly the configured algorithm ("none", the other HS sizes, RS256 and a missing alg are all
//     refused); "kid", when present, is a string; a "crit" header or
//     "b64": false (unencoded payloads) are refused; "typ" is ignored;
//   - the HMAC signature matches, compared in constant time;
//   - the payload is a JSON object: strictly valid UTF-8 JSON, with no
//     duplicate key in any object (keys compared after unescaping), no
//     unpaired \u surrogate escape, at most 64 levels of nesting below the
//     top, and nothing after it but white space;
//   - "sub", "exp" and "iat" are present and not null; sub is a string; exp
//     and iat (and nbf when present) are numbers, a fraction being truncated
//     toward zero as Python's int() does; jti, type and each role are
//     strings and roles an array when present; family_id is a string or
//     null; an "aud" claim that is present and truthy is refused (PyJWT
//     does the same when no audience is configured);
//   - the token is mature and unexpired, with the configured leeway:
//     refused as immature when iat > now + leeway (or nbf > now + leeway),
//     then as expired when exp <= now - leeway, the comparisons PyJWT makes.
//
// An expired token gives [ErrExpired], and only when everything before the
// time checks passed. Every other failure gives an error wrapping
// [ErrInvalid] with a short detail; callers branch with errors.Is.
//
// Claims that are absent decode to defaults: jti to "", type to "access",
// roles to an empty list, and extra to {} (also when extra is not a JSON
// object). Other claims are ignored. [Claims.Purpose] is derived from
// extra.purpose so that guards can refuse purpose tokens without parsing
// Extra: session guards refuse any token whose Purpose is not "".
//
// # Differences from PyJWT
//
// Verify is stricter than PyJWT on malformed input that no signer produces:
// PyJWT skips characters outside the base64 alphabet, accepts "=" padding,
// lets the last of duplicate keys win, and accepts NaN, Infinity, lone
// surrogates, UTF-16 payloads and non-string, null or mistyped fullauth
// claims (which fastapi-fullauth then turns into a 500). All of those are
// refused here as invalid. The checks of PyJWT 2.10 and later are applied
// (sub a string, jti a string when present, so a null jti is refused), as
// fastapi-fullauth requires pyjwt>=2.12. PyJWT checks the types of sub and
// jti after the time claims, so an expired token with, say, a numeric sub is
// expired there and invalid here; either way it is refused.
//
// Verification is on the path of every request, so it allocates little and
// does not use encoding/json: a Verifier pools its HMAC state and parses the
// payload with a small strict scanner.
package token
