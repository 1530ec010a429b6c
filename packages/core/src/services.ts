import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage } from '@pond/storage';
import { createApiKeys } from './access/api-keys.ts';
import { createAuth } from './access/auth.ts';
import { createPrincipals } from './access/principals.ts';
import { createSetup } from './access/setup.ts';
import { createUsers } from './access/users.ts';
import { createAudiences } from './audiences/audiences.ts';
import { createAudienceEngine } from './audiences/engine/engine.ts';
import { createSavedAudiences } from './audiences/saved-audiences.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { createAttributeDefinitions } from './customers/attributes.ts';
import { createCustomers } from './customers/customers.ts';
import { createIdentityPriority } from './customers/identity-priority.ts';
import { createTimeline } from './customers/timeline.ts';
import { createEventQueries } from './events/event-queries.ts';
import { createIngest } from './events/ingest.ts';
import { createSources } from './events/sources.ts';
import { createExports } from './imports/export.ts';
import { createImports } from './imports/imports.ts';
import { createOrgUnits } from './org/org-units.ts';
import { createStaff } from './org/staff.ts';
import { createPlatform } from './platform/platform.ts';
import { createPrivacy } from './privacy/privacy.ts';
import type { Clock } from './shared/clock.ts';
import { createStratification } from './stratification/stratification.ts';
import { createAutoTags } from './tags/auto-tags.ts';
import { createTags } from './tags/tags.ts';
import { defaultWeComGateway } from './wecom/client.ts';
import type { WeComGatewayFactory } from './wecom/gateway.ts';
import { createLiveCodes } from './wecom/live-codes/live-codes.ts';
import { createSuccession } from './wecom/succession/succession.ts';
import { createTagSync } from './wecom/tag-sync/tag-sync.ts';
import { createWeCom } from './wecom/wecom.ts';

export interface ServiceDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  /** The one-time first-run token; null once a brand exists or when setup is closed. */
  readonly setupToken?: string | null;
  /** How long an ingested messageId is remembered for dedupe; 7 days by default. */
  readonly dedupeWindowMs?: number;
  /** Where uploaded import files wait while they are imported. */
  readonly importDir?: string;
  /** The server's 32-byte key sealing stored secrets (WeCom app secrets and callback keys). */
  readonly secretKey?: Uint8Array;
  /** Builds the WeCom REST client for a tenant's connection; tests point it at the emulator. */
  readonly wecomGateway?: WeComGatewayFactory;
  /** Pond's public address, for URLs shown to operators (the WeCom callback URL). */
  readonly publicUrl?: string | null;
  /** Whether rules are answered from in-memory bitmaps (else always by the SQL reference); on by default. */
  readonly audienceEngine?: boolean;
  /** How long handled outbox entries are kept before the hourly pruning deletes them; 7 days by default. */
  readonly outboxRetentionMs?: number;
  /** Where the audience engine keeps its indexes between runs; none: built from SQL at each start. */
  readonly audienceSnapshotDir?: string | null;
  /**
   * Whether ingested events are stored by a thread of their own (`IngestOptions.thread`);
   * only on a SQLite file, where the one process is the database. The thread stamps with the
   * system's clock. Off by default; the server turns it on.
   */
  readonly ingestThread?: boolean;
}

const HOUR = 3_600_000;
const PRUNE_QUEUE = 'ingest.prune_message_ids';
const OUTBOX_PRUNE_QUEUE = 'outbox.prune';

/** Builds every domain service from its dependencies; no hidden wiring. */
export function createServices({
  storage,
  clock,
  setupToken = null,
  dedupeWindowMs = 7 * 24 * HOUR,
  importDir = join(tmpdir(), 'pond-imports'),
  secretKey,
  wecomGateway = defaultWeComGateway,
  publicUrl = null,
  audienceEngine: engineOn = true,
  audienceSnapshotDir = null,
  outboxRetentionMs = 7 * 24 * HOUR,
  ingestThread = false,
}: ServiceDeps) {
  const platform = createPlatform(storage, clock);
  const audienceEngine = createAudienceEngine({
    db: storage.db,
    clock,
    enabled: engineOn,
    snapshotDir: audienceSnapshotDir,
  });
  const audit = createAuditLog(storage.db, clock);
  const auth = createAuth(platform, audit);
  const customers = createCustomers(platform, audit);
  const timeline = createTimeline(platform, customers);
  const ingest = createIngest(platform, { thread: ingestThread ? (storage.sqliteFile ?? null) : null });
  const tags = createTags(platform, audit);
  const wecom = createWeCom(platform, audit, customers, { secretKey, gateway: wecomGateway, publicUrl });
  // Before the rule consumers, so stage changes reach audiences and auto-tags in the same pass.
  const stratification = createStratification(platform, audit);
  /** A job run at the top of every hour; each run arms the next (one per hour, by its key). */
  const hourly = (queue: string, work: () => Promise<unknown>) => {
    const arm = () => {
      const hour = Math.floor(clock.now() / HOUR) + 1;
      return platform.jobs.enqueue({ queue, payload: {}, runAt: hour * HOUR, dedupeKey: `${queue}:${hour}` });
    };
    platform.jobs.handle(queue, async () => {
      await arm();
      await work();
    });
    return arm;
  };
  // MessageIds older than the dedupe window are forgotten; outbox entries every consumer has
  // handled are kept for `outboxRetentionMs`, then deleted.
  const armMessageIdPrune = hourly(PRUNE_QUEUE, () => ingest.pruneMessageIds(dedupeWindowMs));
  const armOutboxPrune = hourly(OUTBOX_PRUNE_QUEUE, () => platform.outbox.prune(outboxRetentionMs));
  const autoTags = createAutoTags(platform, audit, tags, audienceEngine);
  const savedAudiences = createSavedAudiences(platform, audit, audienceEngine);
  // After the audiences' consumer: rules naming an audience follow its entries and exits in
  // the same relay pass.
  autoTags.followAudiences();
  return {
    platform,
    audit,
    auth,
    principals: createPrincipals(storage.db, clock),
    setup: createSetup(platform, audit, auth, setupToken),
    orgUnits: createOrgUnits(platform, audit),
    staff: createStaff(platform, audit),
    users: createUsers(platform, audit),
    apiKeys: createApiKeys(platform, audit),
    customers,
    attributes: createAttributeDefinitions(platform, audit),
    identityPriority: createIdentityPriority(platform, audit),
    tags,
    autoTags,
    audiences: createAudiences(platform, audienceEngine),
    savedAudiences,
    audienceEngine,
    stratification,
    timeline,
    wecom,
    wecomLiveCodes: createLiveCodes(platform, audit, tags, wecom),
    wecomSuccession: createSuccession(platform, audit, wecom),
    wecomTagSync: createTagSync(platform, audit, tags, wecom),
    privacy: createPrivacy(platform, audit, customers, timeline),
    imports: createImports(platform, audit, { dir: importDir }),
    exports: createExports(platform, audit, customers),
    sources: createSources(platform, audit),
    ingest,
    events: createEventQueries(platform),
    dedupeWindowMs,
    /** Arms recurring maintenance jobs; called once by the worker role at start. */
    scheduleMaintenance: async () => {
      await armMessageIdPrune();
      await armOutboxPrune();
      await wecom.receiver.schedulePruning();
      await stratification.catchUp();
    },
  };
}

export type Services = ReturnType<typeof createServices>;
