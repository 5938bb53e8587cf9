/**
 * Every item a memcached server holds under a prefix, keys and values, for tests that inspect
 * raw store contents. `lru_crawler metadump all` lists keys (memcached 1.5+); values come from
 * plain text-protocol gets.
 */
import { connect } from 'node:net';

function talk(host: string, port: number, command: string, done: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let text = '';
    socket.setTimeout(5_000, () => socket.destroy(new Error('memcached dump timed out')));
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      if (done(text)) {
        socket.end();
        resolve(text);
      }
    });
    socket.on('error', reject);
    socket.write(command);
  });
}

export async function memcachedDump(host: string, port: number, prefix: string): Promise<string> {
  const listing = await talk(host, port, 'lru_crawler metadump all\r\n', (text) => /(^|\n)END\r\n$/.test(text));
  const keys = [...listing.matchAll(/key=(\S+)/g)]
    .map((match) => decodeURIComponent(match[1]!))
    .filter((key) => key.startsWith(prefix));
  if (keys.length === 0) return '';
  const values = await talk(host, port, `get ${keys.join(' ')}\r\n`, (text) => text.endsWith('END\r\n'));
  return `${keys.join('\n')}\n${values}`;
}
