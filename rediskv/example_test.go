package rediskv_test

import (
	"log"

	"github.com/fullauth/fullauth"
	"github.com/fullauth/fullauth/memstore"
	"github.com/fullauth/fullauth/rediskv"
)

// Share revocations, lockouts and rate limits between processes through a
// Redis Sentinel deployment (a URL with one host makes a plain client,
// several without master_name a cluster client).
func ExampleNewClient() {
	client, err := rediskv.NewClient("redis://10.0.0.1:26379,10.0.0.2:26379/0?master_name=auth")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	a, err := fullauth.New(memstore.New(), fullauth.Config{
		SecretKey: []byte("change-me-to-32-or-more-random-bytes!!"),
		KV:        rediskv.New(client, ""),
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = a // serve requests with a
}
