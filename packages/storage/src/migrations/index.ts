import type { Kysely } from 'kysely';
import type { DialectInfo } from '../dialect.ts';
import * as foundation from './20261122150000_foundation.ts';
import * as customersEvents from './20261122160000_customers_events.ts';
import * as identityLookup from './20261123140000_identity_lookup.ts';
import * as tags from './20261123150000_tags.ts';
import * as autoTagRules from './20261123160000_auto_tag_rules.ts';
import * as audiences from './20261123170000_audiences.ts';
import * as audienceHistory from './20261123180000_audience_history.ts';
import * as stratification from './20261124100000_stratification.ts';
import * as stratificationDistribution from './20261124100100_stratification_distribution.ts';
import * as wecom from './20261124110000_wecom.ts';
import * as wecomSync from './20261124110100_wecom_sync.ts';
import * as wecomSyncDirectory from './20261124110200_wecom_sync_directory.ts';
import * as audienceArchiveAndSizes from './20261124120000_audience_archive_and_sizes.ts';
import * as wecomLiveCodesSuccession from './20261124140000_wecom_live_codes_succession.ts';
import * as wecomLiveCodeMerges from './20261124140100_wecom_live_code_merges.ts';
import * as wecomTagSync from './20261124150000_wecom_tag_sync.ts';
import * as messageIdsByKey from './20261206220000_message_ids_by_key.ts';
import * as eventsByCustomer from './20261206230000_events_by_customer.ts';

export interface PondMigration {
  up(db: Kysely<unknown>, dialect: DialectInfo): Promise<void>;
}

/**
 * Every migration, keyed by its timestamped name. Names sort in the order they run; a
 * migration that has shipped is never edited, only followed by a new one.
 */
export const migrations: Record<string, PondMigration> = {
  '20261122150000_foundation': foundation,
  '20261122160000_customers_events': customersEvents,
  '20261123140000_identity_lookup': identityLookup,
  '20261123150000_tags': tags,
  '20261123160000_auto_tag_rules': autoTagRules,
  '20261123170000_audiences': audiences,
  '20261123180000_audience_history': audienceHistory,
  '20261124100000_stratification': stratification,
  '20261124100100_stratification_distribution': stratificationDistribution,
  '20261124110000_wecom': wecom,
  '20261124110100_wecom_sync': wecomSync,
  '20261124110200_wecom_sync_directory': wecomSyncDirectory,
  '20261124120000_audience_archive_and_sizes': audienceArchiveAndSizes,
  '20261124140000_wecom_live_codes_succession': wecomLiveCodesSuccession,
  '20261124140100_wecom_live_code_merges': wecomLiveCodeMerges,
  '20261124150000_wecom_tag_sync': wecomTagSync,
  '20261206220000_message_ids_by_key': messageIdsByKey,
  '20261206230000_events_by_customer': eventsByCustomer,
};
