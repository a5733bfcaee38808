import { INTEGRITY_PROBLEM_CODES, type IntegrityProblem } from './projector/stream-integrity.js';

/** What /metrics reads from the views and the projector at the time of the scrape. */
export interface LiveFigures {
  /** Each location's last-heard age, s (null: never heard). */
  readonly locations: readonly { location: string; ageSeconds: number | null }[];
  /** Nodes whose events came with a clock ahead beyond the bound: how many, and whether still. */
  readonly clockSkew: readonly { node: string; events: number; current: boolean }[];
  /** The event stream's integrity problems, as last checked. */
  readonly integrity: readonly IntegrityProblem[];
  /** This instance in the cluster of hubs. */
  readonly cluster: {
    readonly instance: string;
    readonly leader: boolean;
    readonly term: number;
    /** ms since the lease was last renewed (leader) or last seen to change (follower); -1 unknown. */
    readonly leaseAgeMs: number;
    readonly groups: number;
    readonly groupedCommands: number;
    readonly lastGroupSize: number;
    readonly fencedAppends: number;
    readonly forwarded: number;
    readonly forwardFailures: number;
  };
}

/** Counters and gauges the hub exposes at /metrics in Prometheus text format. */
export class HubMetrics {
  eventsApplied = 0;
  duplicatesAbsorbed = 0;
  batches = 0;
  readonly deadLetters = new Map<string, number>();
  /** Stream messages not yet applied, from the consumer's info. */
  lagMessages = 0;
  /** Age of the newest applied message when there is lag, s. */
  lagSeconds = 0;
  lastAppliedStoredMs = 0;
  reservationsPlaced = 0;
  reservationsRejected = 0;
  /** Times this instance stopped leading. */
  stepDowns = 0;
  /** Times the projector's consumer was restarted because it delivered nothing while behind. */
  projectorRestarts = 0;
  readonly httpRequests = new Map<string, number>();

  countHttp(method: string, route: string, status: number): void {
    const key = `method="${method}",route="${route}",status="${status}"`;
    this.httpRequests.set(key, (this.httpRequests.get(key) ?? 0) + 1);
  }

  /** Renders every metric, with the figures read at scrape time. */
  render(live: LiveFigures): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels ? `{${labels}}` : ''} ${value}`);
    };
    metric('stocknerve_events_applied_total', 'counter', 'Events applied to the views.', [['', this.eventsApplied]]);
    metric('stocknerve_duplicates_absorbed_total', 'counter', 'Re-delivered events that changed nothing.', [
      ['', this.duplicatesAbsorbed],
    ]);
    metric('stocknerve_projector_batches_total', 'counter', 'Transactions committed by the projector.', [
      ['', this.batches],
    ]);
    metric(
      'stocknerve_dead_letters_total',
      'counter',
      'Messages sent to the dead-letter stream, by reason.',
      [...this.deadLetters].map(([reason, n]) => [`reason="${reason}"`, n]),
    );
    metric('stocknerve_projection_lag_messages', 'gauge', 'Stream messages not yet applied.', [['', this.lagMessages]]);
    metric('stocknerve_projection_lag_seconds', 'gauge', 'How far behind the views are, s.', [['', this.lagSeconds]]);
    metric(
      'stocknerve_projector_stall_restarts_total',
      'counter',
      'Times the projector consumer delivered nothing for 10 s while behind the stream and was restarted.',
      [['', this.projectorRestarts]],
    );
    metric('stocknerve_reservations_placed_total', 'counter', 'Reservations granted.', [['', this.reservationsPlaced]]);
    metric('stocknerve_reservations_rejected_total', 'counter', 'Reservations refused.', [
      ['', this.reservationsRejected],
    ]);
    metric(
      'stocknerve_location_last_heard_age_seconds',
      'gauge',
      'Seconds since the hub last heard from a location (-1: never).',
      live.locations.map((l) => [`location="${l.location}"`, l.ageSeconds ?? -1]),
    );
    // From the views, so a restart or a rebuild says the same (the rule judges by store time).
    metric(
      'stocknerve_clock_skew_events_total',
      'counter',
      'Store events whose clock was ahead of their store time beyond HUB_MAX_CLOCK_SKEW_MS (placed at store time, or counts held), by node.',
      live.clockSkew.map((n) => [`node="${n.node}"`, n.events]),
    );
    metric(
      'stocknerve_clock_skew_nodes',
      'gauge',
      'Nodes whose latest event came with a clock ahead beyond the bound.',
      [['', live.clockSkew.filter((n) => n.current).length]],
    );
    const problems = new Set(live.integrity.map((p) => p.code));
    metric(
      'stocknerve_stream_integrity_problems',
      'gauge',
      'Event stream or projector consumer problems, by reason (1: present); see /health.',
      INTEGRITY_PROBLEM_CODES.map((code) => [`reason="${code}"`, problems.has(code) ? 1 : 0]),
    );
    const c = live.cluster;
    const instance = `instance="${c.instance}"`;
    metric('stocknerve_hub_leader', 'gauge', 'Whether this hub instance leads (decides commands): 1 or 0.', [
      [instance, c.leader ? 1 : 0],
    ]);
    metric('stocknerve_hub_leader_term', 'gauge', 'The lease term as this instance last saw it.', [[instance, c.term]]);
    metric(
      'stocknerve_hub_lease_age_seconds',
      'gauge',
      'Leader: since its last lease renewal; follower: since it saw the lease change (-1 unknown). A follower takes over past HUB_LEASE_MS.',
      [[instance, c.leaseAgeMs < 0 ? -1 : c.leaseAgeMs / 1000]],
    );
    metric('stocknerve_hub_step_downs_total', 'counter', 'Times this instance stopped leading.', [
      [instance, this.stepDowns],
    ]);
    metric('stocknerve_command_groups_total', 'counter', 'Groups of commands appended as one message.', [
      ['', c.groups],
    ]);
    metric('stocknerve_command_grouped_total', 'counter', 'Commands decided in those groups.', [
      ['', c.groupedCommands],
    ]);
    metric('stocknerve_command_last_group_size', 'gauge', 'Commands in the last group appended.', [
      ['', c.lastGroupSize],
    ]);
    metric(
      'stocknerve_command_fenced_appends_total',
      'counter',
      'Appends refused because another writer appended on the hub subject first (a deposed leader).',
      [['', c.fencedAppends]],
    );
    metric('stocknerve_commands_forwarded_total', 'counter', 'Commands forwarded to the leading instance.', [
      ['', c.forwarded],
    ]);
    metric(
      'stocknerve_command_forward_failures_total',
      'counter',
      'Forwarded commands answered 503 (no leader, no answer in time, refused).',
      [['', c.forwardFailures]],
    );
    metric(
      'stocknerve_http_requests_total',
      'counter',
      'HTTP requests by route and status.',
      [...this.httpRequests].map(([labels, n]) => [labels, n]),
    );
    return `${lines.join('\n')}\n`;
  }
}
