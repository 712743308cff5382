/**
 * The fleet process: a testkit fleet driven over IPC by `remote-fleet.ts`. Exits when the parent
 * says `close` or goes away.
 */
import { seededRandom, startFleet, type Fleet } from '@datapunk/testkit';
import type { FleetCommand, FleetReply } from './protocol.js';

let fleet: Fleet | undefined;

async function handle(command: FleetCommand): Promise<Omit<FleetReply & { ok: true }, 'id'>> {
  switch (command.op) {
    case 'start': {
      if (fleet) throw new Error('fleet already started');
      const behaviors = command.behaviors;
      fleet = await startFleet({
        count: behaviors.length,
        random: seededRandom(command.seed),
        behavior: (i) => behaviors[i]!,
        requestLogLimit: 0,
        ...(command.capacity ? { capacity: command.capacity } : {}),
      });
      return { ok: true, urls: fleet.urls };
    }
    case 'set':
      need().get(command.index).setBehavior(command.behavior);
      return { ok: true };
    case 'load':
      need().get(command.index).setLoadReport(command.report ?? undefined);
      return { ok: true };
    case 'crash':
      await need().get(command.index).crash();
      return { ok: true };
    case 'restart':
      await need().get(command.index).restart();
      return { ok: true };
    case 'stats':
      return {
        ok: true,
        stats: need().servers.map((s) => {
          const st = s.stats;
          return { requests: st.total - st.health, health: st.health, byStatus: st.byStatus };
        }),
      };
    case 'queues': {
      const queues = need().servers.map((s) => s.queue ?? null);
      if (command.reset) for (const s of need().servers) s.resetStats();
      return { ok: true, queues };
    }
    case 'close':
      await fleet?.close({ graceMs: 0 });
      fleet = undefined;
      return { ok: true };
  }
}

function need(): Fleet {
  if (!fleet) throw new Error('fleet not started');
  return fleet;
}

process.on('message', (message: FleetCommand & { id: number }) => {
  const { id } = message;
  handle(message).then(
    (reply) => {
      process.send?.({ id, ...reply } satisfies FleetReply);
      if (message.op === 'close') process.disconnect();
    },
    (error: unknown) => process.send?.({ id, ok: false, error: String((error as Error)?.stack ?? error) } satisfies FleetReply),
  );
});
// The parent died or closed the channel: leave, whatever is still open.
process.on('disconnect', () => {
  void (fleet?.close({ graceMs: 0 }) ?? Promise.resolve()).finally(() => process.exit(0));
});
