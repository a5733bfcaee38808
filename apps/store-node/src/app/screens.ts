import type { FunctionComponent } from 'preact';
import { AdjustScreen } from '../adjust/AdjustScreen.js';
import { CountsScreen } from '../counts/CountsScreen.js';
import { LookupScreen } from '../lookup/LookupScreen.js';
import { PickupsScreen } from '../pickups/PickupsScreen.js';
import { ReceivingScreen } from '../receiving/ReceivingScreen.js';
import { ReturnsScreen } from '../returns/ReturnsScreen.js';
import { SellScreen } from '../sell/SellScreen.js';
import { SettingsScreen } from '../settings/SettingsScreen.js';
import { SyncPanel } from '../sync/SyncPanel.js';
import { TransfersScreen } from '../transfers/TransfersScreen.js';
import type { ScreenId } from './tabs.js';

/** The component of each screen (one folder per screen under src/). */
export const SCREEN_COMPONENTS: { readonly [K in ScreenId]: FunctionComponent } = {
  sell: SellScreen,
  returns: ReturnsScreen,
  receiving: ReceivingScreen,
  transfers: TransfersScreen,
  adjust: AdjustScreen,
  counts: CountsScreen,
  lookup: LookupScreen,
  pickups: PickupsScreen,
  sync: SyncPanel,
  settings: SettingsScreen,
};
