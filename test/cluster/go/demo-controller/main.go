// Command demo-controller reconciles Website objects (group demo.kube-events.local) into Deployments that
// it owns, and records what it does as Kubernetes Events the way client-go intends controllers to:
//
//   - core/v1 events through tools/record: NewBroadcaster, StartStructuredLogging, StartRecordingToSink
//     and NewRecorder, so client-go's correlator counts repeats (Synced) and its spam filter applies;
//   - one events.k8s.io/v1 event through tools/events, with an action and a related object (RolloutComplete).
//
// Every core/v1 attempt is logged before client-go correlates it, the way Kube Events' recorder ledger reads
// a debuggee's output: StartStructuredLogging by default, StartLogging with --event-log=printf, as klog text or,
// with --log-format=json, as logr JSON (funcr).
//
// A Website annotated demo.kube-events.local/event-storm: "N" gets, once per value, an event storm that shows
// what client-go's correlator does to a careless recorder (see storm.go).
//
// It is the Go side of the test cluster (see test/cluster/README.md) and the smallest example of a
// controller whose events Kube Events shows.
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-logr/logr/funcr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/events"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/klog/v2"
	"sigs.k8s.io/yaml"
)

// controllerName is the event source (core/v1 source.component, events.k8s.io/v1 reportingController).
const controllerName = "website-controller"

var websites = schema.GroupVersionResource{Group: "demo.kube-events.local", Version: "v1", Resource: "websites"}
var websiteKind = schema.GroupVersionKind{Group: "demo.kube-events.local", Version: "v1", Kind: "Website"}

//go:embed website-crd.yaml
var websiteCRD []byte

type controller struct {
	kube        kubernetes.Interface
	dynamic     dynamic.Interface
	websites    cache.GenericLister
	deployments cache.Indexer
	queue       workqueue.TypedRateLimitingInterface[string]
	recorder    record.EventRecorder // core/v1 events
	events      events.EventRecorder // events.k8s.io/v1 events
	storms      stormLog             // event storms started, by Website uid and annotation value
}

func main() {
	klog.InitFlags(nil)
	kubeconfig := flag.String("kubeconfig", "", "path to a kubeconfig (required)")
	healthAddress := flag.String("health-address", "127.0.0.1:0", "address of the /healthz endpoint, which answers 200 once the caches are synced")
	namespace := flag.String("namespace", "", "watch Websites and Deployments in this namespace only (default: all)")
	eventLog := flag.String("event-log", "structured", "how each event attempt is logged: structured (StartStructuredLogging) or printf (StartLogging)")
	logFormat := flag.String("log-format", "text", "text (klog's own) or json (logr's funcr JSON through klog)")
	flag.StringVar(&instance, "instance", "", "reconcile only Websites whose "+instanceAnnotation+" annotation names this instance (default: only Websites without one)")
	flag.Parse()
	if *kubeconfig == "" {
		fmt.Fprintln(os.Stderr, "demo-controller: --kubeconfig is required")
		os.Exit(2)
	}
	if *eventLog != "structured" && *eventLog != "printf" {
		fmt.Fprintf(os.Stderr, "demo-controller: --event-log must be structured or printf, not %q\n", *eventLog)
		os.Exit(2)
	}
	switch *logFormat {
	case "text":
	case "json":
		klog.SetLogger(funcr.NewJSON(func(obj string) { fmt.Fprintln(os.Stderr, obj) }, funcr.Options{LogTimestamp: true, LogCaller: funcr.All, Verbosity: 0}))
	default:
		fmt.Fprintf(os.Stderr, "demo-controller: --log-format must be text or json, not %q\n", *logFormat)
		os.Exit(2)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := run(ctx, *kubeconfig, *healthAddress, *namespace, *eventLog); err != nil {
		klog.ErrorS(err, "demo-controller failed")
		os.Exit(1)
	}
}

func run(ctx context.Context, kubeconfig, healthAddress, namespace, eventLog string) error {
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	kube := kubernetes.NewForConfigOrDie(config)
	dyn := dynamic.NewForConfigOrDie(config)
	if err := installCRD(ctx, dyn); err != nil {
		return fmt.Errorf("installing the Website CRD: %w", err)
	}

	// core/v1: the broadcaster fans events out to a structured log line and to the API server (through
	// the correlator, which folds repeats into one event with a rising count).
	broadcaster := record.NewBroadcaster(record.WithContext(ctx))
	if eventLog == "printf" {
		broadcaster.StartLogging(klog.Infof)
	} else {
		broadcaster.StartStructuredLogging(0)
	}
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: kube.CoreV1().Events("")})
	defer broadcaster.Shutdown()

	// events.k8s.io/v1: its own broadcaster; repeats become a series (series.count) instead of a count.
	eventsBroadcaster := events.NewBroadcaster(&events.EventSinkImpl{Interface: kube.EventsV1()})
	if err := eventsBroadcaster.StartRecordingToSinkWithContext(ctx); err != nil {
		return err
	}
	defer eventsBroadcaster.Shutdown()

	kubeInformers := informers.NewSharedInformerFactoryWithOptions(kube, 0, informers.WithNamespace(namespace))
	dynInformers := dynamicinformer.NewFilteredDynamicSharedInformerFactory(dyn, 0, namespace, nil)
	websiteInformer := dynInformers.ForResource(websites)
	deploymentInformer := kubeInformers.Apps().V1().Deployments().Informer()
	c := &controller{
		kube:        kube,
		dynamic:     dyn,
		websites:    websiteInformer.Lister(),
		deployments: deploymentInformer.GetIndexer(),
		queue:       workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]()),
		recorder:    broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: controllerName}),
		events:      eventsBroadcaster.NewRecorder(scheme.Scheme, controllerName),
		storms:      stormLog{started: map[string]bool{}},
	}
	defer c.queue.ShutDown()

	enqueue := func(obj any) {
		if key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj); err == nil {
			c.queue.Add(key)
		}
	}
	// A Deployment change re-syncs the Website that controls it (its status follows the Deployment's).
	enqueueOwner := func(obj any) {
		if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
			obj = tomb.Obj
		}
		d, ok := obj.(*appsv1.Deployment)
		if !ok {
			return
		}
		if ref := metav1.GetControllerOf(d); ref != nil && ref.Kind == websiteKind.Kind && ref.APIVersion == websiteKind.GroupVersion().String() {
			c.queue.Add(d.Namespace + "/" + ref.Name)
		}
	}
	if _, err := websiteInformer.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
	}); err != nil {
		return err
	}
	if _, err := deploymentInformer.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueueOwner,
		UpdateFunc: func(_, obj any) { enqueueOwner(obj) },
		DeleteFunc: enqueueOwner,
	}); err != nil {
		return err
	}

	var synced atomic.Bool
	if err := serveHealth(ctx, healthAddress, &synced); err != nil {
		return err
	}
	kubeInformers.Start(ctx.Done())
	dynInformers.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), websiteInformer.Informer().HasSynced, deploymentInformer.HasSynced) {
		return fmt.Errorf("caches did not sync")
	}
	synced.Store(true)
	klog.InfoS("demo-controller running", "controller", controllerName)
	go wait.UntilWithContext(ctx, c.worker, time.Second)
	<-ctx.Done()
	return nil
}

func (c *controller) worker(ctx context.Context) {
	for {
		key, shutdown := c.queue.Get()
		if shutdown {
			return
		}
		if err := c.sync(ctx, key); err != nil {
			utilruntime.HandleErrorWithContext(ctx, err, "sync failed; retrying", "website", key)
			c.queue.AddRateLimited(key)
		} else {
			c.queue.Forget(key)
		}
		c.queue.Done(key)
	}
}

// instanceAnnotation names the demo controller instance a Website is for: a test that runs its own instance
// (an event storm counted on both sides) keeps the cluster's instance from writing events about it too.
const instanceAnnotation = "demo.kube-events.local/instance"

// instance is this process's --instance.
var instance string

// sync makes the Deployment of one Website match its spec and copies the Deployment's availability back.
func (c *controller) sync(ctx context.Context, key string) error {
	namespace, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil
	}
	obj, err := c.websites.ByNamespace(namespace).Get(name)
	if apierrors.IsNotFound(err) {
		return nil // deleted: the garbage collector removes the Deployment it owned
	}
	if err != nil {
		return err
	}
	site := obj.(*unstructured.Unstructured)
	if site.GetAnnotations()[instanceAnnotation] != instance {
		return nil // another instance's Website
	}
	replicas, _, _ := unstructured.NestedInt64(site.Object, "spec", "replicas")
	image, _, _ := unstructured.NestedString(site.Object, "spec", "image")

	var deployment *appsv1.Deployment
	item, exists, err := c.deployments.GetByKey(key)
	switch {
	case err != nil:
		return err
	case !exists:
		deployment, err = c.kube.AppsV1().Deployments(namespace).Create(ctx, newDeployment(site, int32(replicas), image), metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return err // created a moment ago and not in the informer's cache yet: retry quietly
		}
		if err != nil {
			c.recorder.Eventf(site, corev1.EventTypeWarning, "FailedCreate", "Failed to create Deployment %s: %v", name, err)
			return err
		}
		// Annotations on the event itself: machine-readable details a tool can pick up.
		c.recorder.AnnotatedEventf(site, map[string]string{
			"demo.kube-events.local/deployment": deployment.Name,
			"demo.kube-events.local/image":      image,
		}, corev1.EventTypeNormal, "DeploymentCreated", "Created Deployment %s with %d replicas of %s", deployment.Name, replicas, image)
	default:
		deployment = item.(*appsv1.Deployment)
	}

	if !metav1.IsControlledBy(deployment, site) {
		// Not ours: leave it alone and say so. No retry; a change to the Website syncs it again.
		c.recorder.Eventf(site, corev1.EventTypeWarning, "DeploymentExists", "Deployment %s already exists and is not managed by this Website", deployment.Name)
		return nil
	}
	if current := ptrValue(deployment.Spec.Replicas); current != int32(replicas) || deployment.Spec.Template.Spec.Containers[0].Image != image {
		updated := deployment.DeepCopy()
		updated.Spec.Replicas = ptrTo(int32(replicas))
		updated.Spec.Template.Spec.Containers[0].Image = image
		if deployment, err = c.kube.AppsV1().Deployments(namespace).Update(ctx, updated, metav1.UpdateOptions{}); err != nil {
			return err
		}
		c.recorder.Eventf(site, corev1.EventTypeNormal, "DeploymentUpdated", "Updated Deployment %s: %d replicas (was %d) of %s", deployment.Name, replicas, current, image)
	}

	available := int64(deployment.Status.AvailableReplicas)
	if previous, _, _ := unstructured.NestedInt64(site.Object, "status", "availableReplicas"); previous != available {
		status := site.DeepCopy()
		if err := unstructured.SetNestedField(status.Object, available, "status", "availableReplicas"); err != nil {
			return err
		}
		if _, err := c.dynamic.Resource(websites).Namespace(namespace).UpdateStatus(ctx, status, metav1.UpdateOptions{}); err != nil {
			return err
		}
		if available == replicas {
			c.events.Eventf(site, deployment, corev1.EventTypeNormal, "RolloutComplete", "WaitForRollout", "Deployment %s has %d of %d replicas available", deployment.Name, available, replicas)
		}
	}
	// The same message on every sync: client-go's correlator turns these into one event whose count rises.
	c.recorder.Event(site, corev1.EventTypeNormal, "Synced", "Website synced successfully")
	c.maybeStorm(ctx, site)
	return nil
}

func newDeployment(site *unstructured.Unstructured, replicas int32, image string) *appsv1.Deployment {
	labels := map[string]string{"app.kubernetes.io/name": site.GetName(), "app.kubernetes.io/managed-by": controllerName}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{
			Name:            site.GetName(),
			Namespace:       site.GetNamespace(),
			Labels:          labels,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(site, websiteKind)},
		},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptrTo(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: image}}},
			},
		},
	}
}

// installCRD creates the Website CRD if it is missing and waits until the API server serves it.
func installCRD(ctx context.Context, dyn dynamic.Interface) error {
	crds := dyn.Resource(schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"})
	crd := &unstructured.Unstructured{}
	if err := yaml.Unmarshal(websiteCRD, &crd.Object); err != nil {
		return err
	}
	if _, err := crds.Create(ctx, crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := crds.Get(ctx, crd.GetName(), metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conditions, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, c := range conditions {
			if m, ok := c.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
}

// serveHealth answers /healthz with 200 once synced is set, so the test harness knows when events can flow.
func serveHealth(ctx context.Context, address string, synced *atomic.Bool) error {
	listener, err := net.Listen("tcp", address)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		if !synced.Load() {
			http.Error(w, "caches not synced", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	server := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = server.Serve(listener) }()
	go func() { <-ctx.Done(); _ = server.Close() }()
	klog.InfoS("serving /healthz", "address", listener.Addr().String())
	return nil
}

func ptrTo[T any](v T) *T { return &v }

func ptrValue(p *int32) int32 {
	if p == nil {
		return 1
	}
	return *p
}
