// Tests: etcd's v3 Lock and Election gRPC services (v3lockpb, v3electionpb)
// through etcd's own generated Go clients, on one connection of clientv3:
// waiters queue in creation order, a waiter whose client gives up leaves
// no key behind, a revoked lease releases, Observe streams each leader
// and each proclaimed value, and errors carry etcd's codes and texts.
package main

import (
	"context"
	"fmt"
	"time"

	"go.etcd.io/etcd/clientv3"
	"go.etcd.io/etcd/etcdserver/api/v3election/v3electionpb"
	"go.etcd.io/etcd/etcdserver/api/v3lock/v3lockpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// isErr: err is a gRPC status of code c with message msg.
func isErr(err error, c codes.Code, msg string) bool {
	st, ok := status.FromError(err)
	return err != nil && ok && st.Code() == c && st.Message() == msg
}

func grant(cli *clientv3.Client, ttl int64) clientv3.LeaseID {
	c, cancel := ctx()
	defer cancel()
	g, err := cli.Grant(c, ttl)
	if err != nil {
		check(false, "grant a lease", err)
		return 0
	}
	return g.ID
}

// keys: the keys under prefix pfx.
func keys(cli *clientv3.Client, pfx string) []string {
	c, cancel := ctx()
	defer cancel()
	r, err := cli.Get(c, pfx, clientv3.WithPrefix(), clientv3.WithKeysOnly())
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, kv := range r.Kvs {
		out = append(out, string(kv.Key))
	}
	return out
}

// eventually: f holds within 5 s.
func eventually(f func() bool) bool {
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if f() {
			return true
		}
	}
	return false
}

type lockResult struct {
	r   *v3lockpb.LockResponse
	err error
}

func lockAsync(lc v3lockpb.LockClient, c context.Context, name string, lease clientv3.LeaseID) chan lockResult {
	ch := make(chan lockResult, 1)
	go func() {
		r, err := lc.Lock(c, &v3lockpb.LockRequest{Name: []byte(name), Lease: int64(lease)})
		ch <- lockResult{r, err}
	}()
	return ch
}

func waits(ch chan lockResult) bool {
	select {
	case <-ch:
		return false
	case <-time.After(500 * time.Millisecond):
		return true
	}
}

func got(ch chan lockResult) lockResult {
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		return lockResult{nil, fmt.Errorf("no answer within 5 s")}
	}
}

func locks(cli *clientv3.Client) {
	lc := v3lockpb.NewLockClient(cli.ActiveConnection())
	l1, l2, l3 := grant(cli, 30), grant(cli, 30), grant(cli, 30)
	c, cancel := ctx()
	defer cancel()

	r1, err := lc.Lock(c, &v3lockpb.LockRequest{Name: []byte("lk"), Lease: int64(l1)})
	check(err == nil && string(r1.Key) == fmt.Sprintf("lk/%x", l1) && r1.Header.Revision > 0,
		"Lock: an uncontended lock is held at once, its key name/LEASE", err, r1)
	if err != nil {
		return
	}
	w2 := lockAsync(lc, c, "lk", l2)
	check(waits(w2), "... a second lease waits for it")
	u, err := lc.Unlock(c, &v3lockpb.UnlockRequest{Key: r1.Key})
	res := got(w2)
	check(err == nil && res.err == nil && string(res.r.Key) == fmt.Sprintf("lk/%x", l2) &&
		res.r.Header.Revision >= u.Header.Revision,
		"... Unlock hands it to the waiter", err, res.err)

	short, scancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, err = lc.Lock(short, &v3lockpb.LockRequest{Name: []byte("lk"), Lease: int64(l1)})
	scancel()
	check(err != nil && eventually(func() bool { return len(keys(cli, "lk/")) == 1 }),
		"... a waiter that gives up leaves no key behind", err, keys(cli, "lk/"))

	w3 := lockAsync(lc, c, "lk", l3)
	check(waits(w3), "... a third lease waits")
	_, err = cli.Revoke(c, l2)
	res = got(w3)
	check(err == nil && res.err == nil && string(res.r.Key) == fmt.Sprintf("lk/%x", l3),
		"... revoking the holder's lease hands it on", err, res.err)

	r0, err := lc.Lock(c, &v3lockpb.LockRequest{Name: []byte("lk0")})
	var ttl *clientv3.LeaseTimeToLiveResponse
	if err == nil {
		g, _ := cli.Get(c, string(r0.Key))
		if len(g.Kvs) == 1 {
			ttl, err = cli.TimeToLive(c, clientv3.LeaseID(g.Kvs[0].Lease))
		}
	}
	check(err == nil && ttl != nil && ttl.GrantedTTL == 60,
		"Lock without a lease: the server grants one of 60 s", err, ttl)

	_, err = lc.Lock(c, &v3lockpb.LockRequest{Name: []byte("lk"), Lease: 12345})
	check(isErr(err, codes.Unknown, "etcdserver: requested lease not found"),
		"Lock with an unknown lease: UNKNOWN, etcd's text", err)
	_, err = lc.Unlock(c, &v3lockpb.UnlockRequest{})
	check(isErr(err, codes.Unknown, "etcdserver: key is not provided"),
		"Unlock without a key: UNKNOWN, etcd's text", err)
}

type campaignResult struct {
	r   *v3electionpb.CampaignResponse
	err error
}

func elections(cli *clientv3.Client) {
	ec := v3electionpb.NewElectionClient(cli.ActiveConnection())
	l4, l5, l6 := grant(cli, 30), grant(cli, 30), grant(cli, 30)
	c, cancel := ctx()
	defer cancel()
	name := []byte("el")

	_, err := ec.Leader(c, &v3electionpb.LeaderRequest{Name: name})
	check(isErr(err, codes.Unknown, "election: no leader"), "Leader of an empty election: "+
		"UNKNOWN \"election: no leader\"", err)

	oc, ocancel := context.WithCancel(context.Background())
	defer ocancel()
	obs, err := ec.Observe(oc, &v3electionpb.LeaderRequest{Name: name})
	if err != nil {
		check(false, "Observe starts", err)
		return
	}
	seen := make(chan string, 16)
	go func() {
		for {
			r, err := obs.Recv()
			if err != nil {
				close(seen)
				return
			}
			seen <- string(r.Kv.Key) + "=" + string(r.Kv.Value)
		}
	}()
	next := func() string {
		select {
		case v := <-seen:
			return v
		case <-time.After(5 * time.Second):
			return "(nothing within 5 s)"
		}
	}
	k4, k5 := fmt.Sprintf("el/%x", l4), fmt.Sprintf("el/%x", l5)

	c1, err := ec.Campaign(c, &v3electionpb.CampaignRequest{Name: name, Lease: int64(l4),
		Value: []byte("a")})
	check(err == nil && string(c1.Leader.Key) == k4 && c1.Leader.Rev == c1.Header.Revision &&
		c1.Leader.Lease == int64(l4) && string(c1.Leader.Name) == "el",
		"Campaign: the first candidate leads at once", err, c1)
	if err != nil {
		return
	}
	v := next()
	check(v == k4+"=a", "... Observe, started before, sees it", v)

	w := make(chan campaignResult, 1)
	go func() {
		r, err := ec.Campaign(c, &v3electionpb.CampaignRequest{Name: name, Lease: int64(l5),
			Value: []byte("b")})
		w <- campaignResult{r, err}
	}()
	select {
	case <-w:
		check(false, "... a second candidate waits")
	case <-time.After(500 * time.Millisecond):
		check(true, "... a second candidate waits")
	}

	_, err = ec.Proclaim(c, &v3electionpb.ProclaimRequest{Leader: c1.Leader, Value: []byte("a2")})
	v = next()
	l, err2 := ec.Leader(c, &v3electionpb.LeaderRequest{Name: name})
	check(err == nil && v == k4+"=a2" && err2 == nil && string(l.Kv.Value) == "a2",
		"Proclaim: the leader's new value is observed and led", err, v, err2)

	stale := *c1.Leader
	stale.Rev++
	_, err = ec.Proclaim(c, &v3electionpb.ProclaimRequest{Leader: &stale, Value: []byte("x")})
	check(isErr(err, codes.Unknown, "election: not leader"),
		"Proclaim with a stale leader key: UNKNOWN \"election: not leader\"", err)
	_, err = ec.Proclaim(c, &v3electionpb.ProclaimRequest{Value: []byte("x")})
	check(isErr(err, codes.Unknown, `"leader" field must be provided`),
		"Proclaim without a leader key: etcd's error", err)

	_, err = ec.Resign(c, &v3electionpb.ResignRequest{Leader: c1.Leader})
	var c2 campaignResult
	select {
	case c2 = <-w:
	case <-time.After(5 * time.Second):
		c2.err = fmt.Errorf("no answer within 5 s")
	}
	v = next()
	check(err == nil && c2.err == nil && string(c2.r.Leader.Key) == k5 && v == k5+"=b",
		"Resign: the next candidate leads, and is observed", err, c2.err, v)
	if c2.err != nil {
		return
	}

	c3, err := ec.Campaign(c, &v3electionpb.CampaignRequest{Name: name, Lease: int64(l5),
		Value: []byte("c")})
	v = next()
	check(err == nil && c3.Leader.Rev == c2.r.Leader.Rev && v == k5+"=c",
		"Campaign again by the leader's lease: same key, the new value proclaimed", err, v)

	short, scancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	_, err = ec.Campaign(short, &v3electionpb.CampaignRequest{Name: name, Lease: int64(l6),
		Value: []byte("d")})
	scancel()
	check(err != nil && eventually(func() bool { return len(keys(cli, "el/")) == 1 }),
		"... a candidate that gives up resigns", err, keys(cli, "el/"))

	ocancel()
	_, err = ec.Resign(c, &v3electionpb.ResignRequest{Leader: c3.Leader})
	check(err == nil && len(keys(cli, "el/")) == 0, "... the last leader resigns", err)
}

func recipes(cli *clientv3.Client) {
	locks(cli)
	elections(cli)
}
