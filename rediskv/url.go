package rediskv

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// The limits of a client made by [NewClient]. The revocation check fails
// closed, so a dead Redis must fail fast rather than stall every request
// behind go-redis's default retries.
const (
	DefaultDialTimeout = time.Second
	DefaultIOTimeout   = 500 * time.Millisecond // read and write
	DefaultPoolTimeout = time.Second
)

// NewClient returns a go-redis client for a URL of the form `fullauth
// serve` takes in FULLAUTH_REDIS_URL: redis:// or rediss:// (TLS) as
// [redis.ParseURL] reads it, with two additions:
//
//   - several comma-separated hosts make a cluster client:
//     redis://10.0.0.1:7000,10.0.0.2:7000,10.0.0.3:7000 (a host without a
//     port gets 6379);
//   - ?master_name=NAME makes a Sentinel (failover) client whose hosts are
//     the sentinels: redis://10.0.0.1:26379,10.0.0.2:26379/0?master_name=NAME.
//
// Timeouts default to fail-fast values ([DefaultDialTimeout],
// [DefaultIOTimeout], [DefaultPoolTimeout], one retry); go-redis's
// dial_timeout, read_timeout, write_timeout, pool_timeout and max_retries
// URL parameters override them. Creating the client does not connect; the
// first command does. The caller closes the client.
func NewClient(rawURL string) (redis.UniversalClient, error) {
	// url.Parse refuses a host list, so the extra hosts are cut out of the
	// authority before parsing: scheme://[userinfo@]host1,host2,…/db?query.
	errScheme := errors.New("rediskv: invalid URL: must start with redis:// or rediss://")
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok || (scheme != "redis" && scheme != "rediss") {
		return nil, errScheme
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo, hostList := "", authority
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo, hostList = authority[:at+1], authority[at+1:]
	}
	hosts := strings.Split(hostList, ",")
	u, err := url.Parse(scheme + "://" + userinfo + hosts[0] + tail)
	if err != nil {
		return nil, errScheme
	}
	q := u.Query()
	master := q.Get("master_name")
	q.Del("master_name")
	u.RawQuery = q.Encode()
	opt, err := redis.ParseURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("rediskv: invalid URL: %w", err)
	}
	addrs := []string{opt.Addr}
	for _, h := range hosts[1:] {
		if !strings.Contains(h, ":") {
			h += ":6379"
		}
		addrs = append(addrs, h)
	}
	uo := &redis.UniversalOptions{
		Addrs:         addrs,
		MasterName:    master,
		DB:            opt.DB,
		Username:      opt.Username,
		Password:      opt.Password,
		TLSConfig:     opt.TLSConfig,
		DialTimeout:   DefaultDialTimeout,
		ReadTimeout:   DefaultIOTimeout,
		WriteTimeout:  DefaultIOTimeout,
		PoolTimeout:   DefaultPoolTimeout,
		MaxRetries:    1,
		DialerRetries: 1,
	}
	// go-redis's own URL parameters override these defaults when given.
	if q.Has("dial_timeout") {
		uo.DialTimeout = opt.DialTimeout
	}
	if q.Has("read_timeout") {
		uo.ReadTimeout = opt.ReadTimeout
	}
	if q.Has("write_timeout") {
		uo.WriteTimeout = opt.WriteTimeout
	}
	if q.Has("pool_timeout") {
		uo.PoolTimeout = opt.PoolTimeout
	}
	if q.Has("max_retries") {
		uo.MaxRetries = opt.MaxRetries
	}
	return redis.NewUniversalClient(uo), nil
}
