package authhttp_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/authhttp"
	"github.com/fullauth/fullauth/memstore"
)

// Mount the API under /api/v1/auth on a standard library mux and guard an
// application route.
func ExampleNew() {
	a, err := fullauth.New(memstore.New(), fullauth.Config{SecretKey: []byte("change-me-to-32-or-more-random-bytes!!")})
	if err != nil {
		log.Fatal(err)
	}
	h := authhttp.New(a, authhttp.Options{})

	mux := http.NewServeMux()
	mux.Handle("/api/v1/auth/", http.StripPrefix("/api/v1/auth", h))
	mux.Handle("GET /api/hello", h.RequireUser(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", fullauth.UserFrom(r.Context()).Email)
	})))

	call := func(method, path, body, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec
	}
	fmt.Println(call("POST", "/api/v1/auth/register", `{"email":"ada@example.com","password":"correct-horse-battery"}`, "").Code)
	fmt.Println(call("GET", "/api/hello", "", "").Body.String())

	_, pair, _ := a.Login(context.Background(), "ada@example.com", "correct-horse-battery", fullauth.ClientInfo{})
	fmt.Println(call("GET", "/api/hello", "", pair.AccessToken).Body.String())
	// Output:
	// 202
	// {"detail":"Could not validate credentials"}
	// hello ada@example.com
}

// Mount the API at a prefix it knows, without http.StripPrefix.
func ExampleNew_prefix() {
	a, err := fullauth.New(memstore.New(), fullauth.Config{SecretKey: []byte("change-me-to-32-or-more-random-bytes!!")})
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/auth/", authhttp.New(a, authhttp.Options{Prefix: "/api/v1/auth"}))

	for _, path := range []string{"/api/v1/auth/me", "/api/v1/auth/nowhere"} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// 401 {"detail":"Could not validate credentials"}
	// 404 {"detail":"Not Found"}
}
