import { describe, expect, it } from 'vitest';
import type { NodeSettings } from '../config/node-settings.js';
import { planBoot } from './settings.js';

const enrolled: NodeSettings = {
  natsUrl: 'ws://127.0.0.1:7423',
  hubUrl: 'http://127.0.0.1:7480',
  credentials: {
    jwt: 'eyJ0eXAiOiJKV1QifQ.e30.sig',
    seed: 'SUAIBDPBAUTWCWBKIO6XHQNINK5FWJW4OHLXC3HQ2KFE4PEJUA44CNHTC4',
    identity: { node: 'store-001-t1', location: 'store-001', region: 'north' },
    inboxPrefix: '_INBOX_store-001-t1',
  },
};

const provisioned = { natsUrl: 'ws://127.0.0.1:7423', hubUrl: 'http://127.0.0.1:7480', enrollmentCode: '7KQ2M-XW4PD' };

describe('what a terminal does at start', () => {
  it('runs with its stored credentials and never spends a provisioned code again', () => {
    expect(planBoot(enrolled, provisioned)).toEqual({ kind: 'run', settings: enrolled });
  });

  it('enrolls by itself with a complete provisioning (addresses and code)', () => {
    expect(planBoot(null, provisioned)).toEqual({
      kind: 'enroll',
      request: { natsUrl: provisioned.natsUrl, hubUrl: provisioned.hubUrl, code: provisioned.enrollmentCode },
    });
  });

  it('asks for what is missing or wrong, prefilled with what was provisioned', () => {
    expect(planBoot(null, { natsUrl: provisioned.natsUrl, hubUrl: provisioned.hubUrl })).toEqual({
      kind: 'ask',
      prefill: { natsUrl: provisioned.natsUrl, hubUrl: provisioned.hubUrl, code: '' },
    });
    expect(planBoot(null, { ...provisioned, natsUrl: 'nats://127.0.0.1:4222' }).kind).toBe('ask');
    expect(planBoot(null, {})).toEqual({ kind: 'ask', prefill: { natsUrl: '', hubUrl: '', code: '' } });
  });
});
