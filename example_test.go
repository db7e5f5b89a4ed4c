package fullauth_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
)

// Build an Auth on the in-memory store, register a user and sign in.
func Example() {
	ctx := context.Background()
	a, err := fullauth.New(memstore.New(), fullauth.Config{
		SecretKey: []byte("change-me-to-32-or-more-random-bytes!!"),
		Hooks: fullauth.Hooks{
			SendVerificationEmail: func(ctx context.Context, email, token string) error {
				fmt.Println("verification email to", email)
				return nil
			},
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := a.Register(ctx, "Ada@Example.com", "correct-horse-battery"); err != nil {
		log.Fatal(err)
	}
	u, pair, err := a.Login(ctx, "ada@example.com", "correct-horse-battery", fullauth.ClientInfo{IP: "192.0.2.1"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in:", u.Email, "verified:", u.Verified)
	fmt.Println("access token lifetime:", pair.ExpiresIn, "s")

	// Every request then authenticates its bearer token.
	me, _, err := a.Authenticate(ctx, pair.AccessToken)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("request by:", me.Email)
	// Output:
	// verification email to ada@example.com
	// signed in: ada@example.com verified: false
	// access token lifetime: 1800 s
	// request by: ada@example.com
}

// Failed sign-ins all look alike: a wrong password, an unknown email, a
// deactivated or locked account.
func ExampleAuth_Login() {
	ctx := context.Background()
	a, err := fullauth.New(memstore.New(), fullauth.Config{SecretKey: []byte("change-me-to-32-or-more-random-bytes!!")})
	if err != nil {
		log.Fatal(err)
	}
	a.Register(ctx, "grace@example.com", "correct-horse-battery")

	_, _, err = a.Login(ctx, "grace@example.com", "wrong password", fullauth.ClientInfo{})
	fmt.Println(errors.Is(err, fullauth.ErrInvalidCredentials))
	_, _, err = a.Login(ctx, "nobody@example.com", "correct-horse-battery", fullauth.ClientInfo{})
	fmt.Println(errors.Is(err, fullauth.ErrInvalidCredentials))
	// Output:
	// true
	// true
}

// Code that writes users to the store directly, around the Auth, announces
// the change so that no cached copy of the user answers the next request.
func ExampleAuth_UserChanged() {
	ctx := context.Background()
	store := memstore.New()
	a, err := fullauth.New(store, fullauth.Config{SecretKey: []byte("change-me-to-32-or-more-random-bytes!!")})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := a.Register(ctx, "lin@example.com", "correct-horse-battery")
	_, pair, _ := a.Login(ctx, "lin@example.com", "correct-horse-battery", fullauth.ClientInfo{})
	a.Authenticate(ctx, pair.AccessToken) // the user is cached now

	// An admin tool of your own marks the email verified in the database.
	verified := true
	store.UpdateUser(ctx, u.ID, fullauth.UserUpdate{Verified: &verified})
	if err := a.UserChanged(ctx, u.ID); err != nil {
		log.Fatal(err)
	}

	me, _, _ := a.Authenticate(ctx, pair.AccessToken)
	fmt.Println("verified:", me.Verified)
	// Output:
	// verified: true
}

// Middleware of your own attaches the request's user and token claims to
// its context in one call; handlers below read them back.
func ExampleAuth_AuthenticateContext() {
	ctx := context.Background()
	a, err := fullauth.New(memstore.New(), fullauth.Config{SecretKey: []byte("change-me-to-32-or-more-random-bytes!!")})
	if err != nil {
		log.Fatal(err)
	}
	a.Register(ctx, "noor@example.com", "correct-horse-battery")
	_, pair, _ := a.Login(ctx, "noor@example.com", "correct-horse-battery", fullauth.ClientInfo{})

	reqCtx, err := a.AuthenticateContext(ctx, pair.AccessToken)
	if err != nil {
		log.Fatal(err)
	}
	u, claims := fullauth.UserFrom(reqCtx), fullauth.ClaimsFrom(reqCtx)
	fmt.Println(u.Email, claims.Type, claims.Subject == u.ID)

	_, err = a.AuthenticateContext(ctx, "not-a-token")
	fmt.Println(errors.Is(err, fullauth.ErrInvalidToken))
	// Output:
	// noor@example.com access true
	// true
}
