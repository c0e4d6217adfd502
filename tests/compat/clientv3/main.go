// Tests: what etcdctl does not reach, through etcd's own Go client
// (clientv3 3.4, Debian's golang-etcd-server-dev, GOPATH mode): many
// goroutines on one connection, paginated ranges with their count, Txn
// compares over a key range, watch progress requests, a fragmented watch
// response, lease keep-alive streams. Run by tests/compat/clientv3.sh
// against cairn and against the real etcd, the same checks for both.
//
// Usage: clientv3_check ENDPOINT NAME. Prints TAP lines ("ok - NAME: ...")
// and exits 1 when a check failed.
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/clientv3"
)

var (
	name   string
	failed bool
)

func check(ok bool, what string, why ...interface{}) {
	if ok {
		fmt.Printf("ok - %s: %s\n", name, what)
		return
	}
	failed = true
	fmt.Printf("not ok - %s: %s\n", name, what)
	if len(why) > 0 {
		fmt.Printf("# %s\n", fmt.Sprint(why...))
	}
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}

// concurrent: 50 goroutines put 20 keys each on one client (one
// connection, many streams at once); every key is there once.
func concurrent(cli *clientv3.Client) {
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				c, cancel := ctx()
				_, err := cli.Put(c, fmt.Sprintf("conc/%02d/%02d", g, i), strings.Repeat("v", 100))
				cancel()
				if err != nil {
					errs <- err
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	n := 0
	var first error
	for err := range errs {
		if first == nil {
			first = err
		}
		n++
	}
	check(n == 0, "1,000 puts from 50 goroutines on one connection", n, " failed: ", first)
	c, cancel := ctx()
	defer cancel()
	r, err := cli.Get(c, "conc/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	check(err == nil && r.Count == 1000, "... all 1,000 keys are there", err, r)
}

// paginate: a range read 100 keys at a time at one revision, as
// Kubernetes lists: each page has the range's count and says whether
// more follow; the pages together are the range, in order, once.
func paginate(cli *clientv3.Client) {
	c, cancel := ctx()
	defer cancel()
	first, err := cli.Get(c, "conc/", clientv3.WithPrefix(), clientv3.WithLimit(100))
	if err != nil {
		check(false, "the first page", err)
		return
	}
	rev := first.Header.Revision
	// A write after the first page is not seen by the later ones.
	if _, err := cli.Put(c, "conc/00/zz", "late"); err != nil {
		check(false, "a put between pages", err)
		return
	}
	var keys []string
	pages, countsOK, moreOK := 0, true, true
	key, end := "conc/", clientv3.GetPrefixRangeEnd("conc/")
	for {
		r, err := cli.Get(c, key, clientv3.WithRange(end), clientv3.WithLimit(100),
			clientv3.WithRev(rev))
		if err != nil {
			check(false, "a page", err)
			return
		}
		pages++
		left := 1000 - len(keys)
		countsOK = countsOK && r.Count == int64(left)
		for _, kv := range r.Kvs {
			keys = append(keys, string(kv.Key))
		}
		moreOK = moreOK && r.More == (len(keys) < 1000)
		if !r.More || len(r.Kvs) == 0 {
			break
		}
		key = string(r.Kvs[len(r.Kvs)-1].Key) + "\x00"
	}
	check(pages == 10 && len(keys) == 1000, "ten pages of 100 at one revision", pages, " pages, ",
		len(keys), " keys")
	check(countsOK, "... each counts the keys left in the range")
	check(moreOK, "... each says whether more follow")
	check(sort.StringsAreSorted(keys), "... in key order")
	cur, err := cli.Get(c, "conc/", clientv3.WithPrefix(), clientv3.WithCountOnly())
	check(err == nil && cur.Count == 1001, "the range now counts the later key", err)
}

// txnRange: compares over every key of a range.
func txnRange(cli *clientv3.Client) {
	c, cancel := ctx()
	defer cancel()
	if _, err := cli.Put(c, "conc/01/00", "again"); err != nil {
		check(false, "a second put", err)
		return
	}
	yes := clientv3.Compare(clientv3.Version("conc/01/").WithPrefix(), ">", 0)
	no := clientv3.Compare(clientv3.Version("conc/01/").WithPrefix(), "=", 1)
	r1, err1 := cli.Txn(c).If(yes).Then(clientv3.OpPut("txn/a", "1")).Commit()
	check(err1 == nil && r1.Succeeded, "Txn: every key of a range has a version > 0", err1)
	r2, err2 := cli.Txn(c).If(no).Else(clientv3.OpGet("conc/01/", clientv3.WithPrefix(),
		clientv3.WithCountOnly())).Commit()
	check(err2 == nil && !r2.Succeeded && r2.Responses[0].GetResponseRange().Count == 20,
		"Txn: not every key has version 1 (one was put twice): the else branch", err2)
	rev := r1.Header.Revision
	mod := clientv3.Compare(clientv3.ModRevision("conc/").WithPrefix(), "<", rev+1)
	r3, err3 := cli.Txn(c).If(mod).Commit()
	check(err3 == nil && r3.Succeeded, "Txn: every mod_revision of a range below a revision", err3)
	// etcd: a missing value is no value, but a missing key's version is 0.
	value := clientv3.Compare(clientv3.Value("nothing/").WithPrefix(), "=", "")
	r4, err4 := cli.Txn(c).If(value).Commit()
	check(err4 == nil && !r4.Succeeded, "Txn: a value compare over an empty range fails", err4)
	version := clientv3.Compare(clientv3.Version("nothing/").WithPrefix(), "=", 0)
	r5, err5 := cli.Txn(c).If(version).Commit()
	check(err5 == nil && r5.Succeeded, "Txn: a version compare over an empty range is with 0", err5)
}

// progress: a watcher with nothing to say asks where the store is.
func progress(cli *clientv3.Client) {
	c, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	wc := cli.Watch(c, "quiet/", clientv3.WithPrefix(), clientv3.WithProgressNotify())
	put, err := cli.Put(c, "other", "x")
	if err != nil {
		check(false, "a put", err)
		return
	}
	time.Sleep(200 * time.Millisecond) // the watcher is in place
	if err := cli.RequestProgress(c); err != nil {
		check(false, "RequestProgress", err)
		return
	}
	select {
	case wr := <-wc:
		check(wr.IsProgressNotify() && wr.Header.Revision >= put.Header.Revision,
			"a progress request is answered with the store's revision", wr.Header.Revision,
			" events ", len(wr.Events))
	case <-c.Done():
		check(false, "a progress request is answered with the store's revision", "no answer")
	}
}

// fragment: one revision whose events are larger than a response may be
// (--max-request-bytes): with WithFragment the server splits them, the
// client joins them; the watcher gets every event of that revision.
func fragment(cli *clientv3.Client) {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	val := strings.Repeat("f", 4096)
	for i := 0; i < 400; i++ {
		if _, err := cli.Put(c, fmt.Sprintf("frag/%03d", i), val); err != nil {
			check(false, "the puts before the fragment", err)
			return
		}
	}
	wc := cli.Watch(c, "frag/", clientv3.WithPrefix(), clientv3.WithPrevKV(),
		clientv3.WithFragment())
	time.Sleep(200 * time.Millisecond)
	del, err := cli.Delete(c, "frag/", clientv3.WithPrefix())
	if err != nil || del.Deleted != 400 {
		check(false, "deleting 400 keys in one revision", err)
		return
	}
	got, sameRev := 0, true
	for got < 400 {
		select {
		case wr := <-wc:
			if wr.Err() != nil {
				check(false, "a fragmented watch response", wr.Err())
				return
			}
			for _, ev := range wr.Events {
				got++
				sameRev = sameRev && ev.Kv.ModRevision == del.Header.Revision &&
					ev.PrevKv != nil && len(ev.PrevKv.Value) == 4096
			}
		case <-c.Done():
			check(false, "a watch response of 1.6 MB, fragmented", got, " of 400 events")
			return
		}
	}
	check(got == 400 && sameRev, "a watch response of 1.6 MB, fragmented: 400 events, prev_kv, one revision")
}

// keepalive: a lease kept alive over its stream outlives its TTL, then
// is revoked.
func keepalive(cli *clientv3.Client) {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	g, err := cli.Grant(c, 3)
	if err != nil {
		check(false, "Grant", err)
		return
	}
	kc, kcancel := context.WithCancel(c)
	ch, err := cli.KeepAlive(kc, g.ID)
	if err != nil {
		check(false, "KeepAlive", err)
		kcancel()
		return
	}
	n, ttlOK := 0, true
	deadline := time.After(5 * time.Second)
loop:
	for {
		select {
		case r, ok := <-ch:
			if !ok {
				break loop
			}
			n++
			ttlOK = ttlOK && r.ID == g.ID && r.TTL == 3
		case <-deadline:
			break loop
		}
	}
	check(n >= 3 && ttlOK, "a keep-alive stream renews a 3 s lease past its TTL", n, " renewals")
	t, err := cli.TimeToLive(c, g.ID)
	check(err == nil && t.TTL > 0, "... it is still alive", err)
	kcancel()
	_, err = cli.Revoke(c, g.ID)
	t, err2 := cli.TimeToLive(c, g.ID)
	check(err == nil && err2 == nil && t.TTL == -1, "... revoked, it is gone", err, err2)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: clientv3_check ENDPOINT NAME")
		os.Exit(2)
	}
	name = os.Args[2]
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{os.Args[1]},
		DialTimeout: 5 * time.Second})
	if err != nil {
		check(false, "connect", err)
		os.Exit(1)
	}
	defer cli.Close()
	concurrent(cli)
	paginate(cli)
	txnRange(cli)
	progress(cli)
	fragment(cli)
	keepalive(cli)
	recipes(cli)
	if failed {
		os.Exit(1)
	}
}
