// The benchmark's receiver, in its own process so its decoding does not count as the transport's CPU time.
import { startCollector } from '@windsock/collector';

const collector = await startCollector({ retain: 1_000 });
process.stdout.write(`${collector.address}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void collector.stop().then(() => process.exit(0));
});
