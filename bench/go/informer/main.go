// Command informer-bench is the peer for `npm run bench`: client-go's SharedIndexInformer (reflector +
// indexer store) for core/v1 Events, the code every controller runs, consuming the same recorded watch
// stream as Kube Events' pipeline from the same apiserver stand-in.
//
// Usage: informer-bench -kubeconfig FILE -expect N
//
// The clock starts just before the informer runs and stops when its store holds N events. Output, one
// JSON line on stdout: {"seconds": s, "events": n, "rss_mb": resident set size at that moment,
// "heap_mb": Go heap in use after a GC with the store still referenced}. Errors go to stderr, exit 2.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

type result struct {
	Seconds float64 `json:"seconds"`
	Events  int     `json:"events"`
	RSSMB   float64 `json:"rss_mb"`
	HeapMB  float64 `json:"heap_mb"`
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "informer-bench: "+format+"\n", args...)
	os.Exit(2)
}

// rssBytes reads VmRSS from /proc/self/status (Linux), the same figure `ps` reports.
func rssBytes() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb * 1024
		}
	}
	return 0
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig of the apiserver (or stand-in) to watch")
	expect := flag.Int("expect", 0, "stop when the store holds this many events")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	flag.Parse()
	if *kubeconfig == "" || *expect <= 0 {
		fail("usage: informer-bench -kubeconfig FILE -expect N")
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fail("cannot load kubeconfig: %v", err)
	}
	// JSON both ways, as the stand-in serves it and as our pipeline reads it; no client-side throttling.
	config.ContentType = "application/json"
	config.AcceptContentTypes = "application/json"
	config.QPS, config.Burst = -1, -1
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		fail("cannot build a client: %v", err)
	}

	lw := cache.NewListWatchFromClient(client.CoreV1().RESTClient(), "events", v1.NamespaceAll, fields.Everything())
	informer := cache.NewSharedIndexInformer(lw, &v1.Event{}, 0, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	var added atomic.Int64
	done := make(chan struct{})
	// Handlers run after the indexer holds the object, so the N-th add means the store holds N events.
	if _, err := informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc: func(any) {
			if added.Add(1) == int64(*expect) {
				close(done)
			}
		},
	}); err != nil {
		fail("cannot add a handler: %v", err)
	}

	stop := make(chan struct{})
	start := time.Now()
	go informer.Run(stop)
	select {
	case <-done:
	case <-time.After(*timeout):
		fail("store holds %d of %d events after %s", len(informer.GetStore().ListKeys()), *expect, *timeout)
	}
	seconds := time.Since(start).Seconds()
	rss := rssBytes()
	close(stop)
	held := len(informer.GetStore().ListKeys())
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(informer)
	out, _ := json.Marshal(result{Seconds: seconds, Events: held, RSSMB: rss / 1e6, HeapMB: float64(ms.HeapAlloc) / 1e6})
	fmt.Println(string(out))
}
