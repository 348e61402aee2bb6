/** The Event JSON the recorder sends and the correlator reasons about, as the apiserver takes it (core/v1 and events.k8s.io/v1). */
import type { PartialObjectRef } from '../events/kubeEvent';

/** An ObjectReference as core/v1 `involvedObject` and events.k8s.io/v1 `regarding`/`related` carry it. */
export type ObjectReferenceJson = PartialObjectRef;

export interface EventMetadataJson {
  readonly name: string;
  readonly namespace: string;
  readonly resourceVersion?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A core/v1 Event as the Recorder builds it and the sink sends it (JSON field names). */
export interface CoreV1EventBody {
  readonly apiVersion: 'v1';
  readonly kind: 'Event';
  readonly metadata: EventMetadataJson;
  readonly involvedObject: ObjectReferenceJson;
  readonly reason: string;
  readonly message: string;
  readonly type: string;
  readonly count: number;
  /** RFC 3339, second precision (metav1.Time). */
  readonly firstTimestamp: string;
  readonly lastTimestamp: string;
  readonly source: { readonly component?: string; readonly host?: string };
  /** Go's `ReportingController`; its JSON name is `reportingComponent`. */
  readonly reportingComponent?: string;
  readonly reportingInstance?: string;
  readonly action?: string;
  readonly related?: ObjectReferenceJson;
}

/** The body of a core/v1 dedup patch: what client-go's two-way strategic merge patch contains. */
export interface CoreEventPatch {
  readonly count: number;
  readonly lastTimestamp: string;
  readonly message?: string;
}

/** An events.k8s.io/v1 Event as the Recorder builds it and the sink sends it. */
export interface EventsV1EventBody {
  readonly apiVersion: 'events.k8s.io/v1';
  readonly kind: 'Event';
  readonly metadata: EventMetadataJson;
  /** MicroTime: `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  readonly eventTime: string;
  readonly series?: SeriesJson;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly action: string;
  readonly reason: string;
  readonly type: string;
  readonly note: string;
  readonly regarding: ObjectReferenceJson;
  readonly related?: ObjectReferenceJson;
}

export interface SeriesJson {
  readonly count: number;
  /** MicroTime. */
  readonly lastObservedTime: string;
}

/** The body of an events.k8s.io/v1 series patch (client-go's `createPatchBytesForSeries`). */
export interface SeriesPatch {
  readonly series: SeriesJson;
}
