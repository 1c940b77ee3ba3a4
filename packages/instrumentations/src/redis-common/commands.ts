/** OAP's `cache.op`: whether a command reads or writes the cache (its slow-command thresholds differ). */
export type CacheOp = 'read' | 'write';

/**
 * Where a command's first key is when it is not a plain argument index (indexes count the arguments after the
 * command name).
 */
const KeyAt = {
  /** The command has no key (PING, INFO, SCAN, FLUSHDB), or none we can point at. */
  None: -1,
  /** `numkeys` at argument 1, keys from argument 2 (EVAL script numkeys key…, BLMPOP timeout numkeys key…). */
  NumKeysAt1: -2,
  /** `numkeys` at argument 0, keys from argument 1 (ZUNION numkeys key…, LMPOP numkeys key…). */
  NumKeysAt0: -3,
  /** Keys follow the `STREAMS` token (XREAD, XREADGROUP). */
  AfterStreams: -4,
  /** MIGRATE host port key|"" …: argument 2, or the one after `KEYS` when it is empty. */
  Migrate: -5,
} as const;

/** What the instrumentations need to know about one command, resolved once per name. */
export interface CommandSpec {
  /** `cache.cmd`: the command in lower case, as OAP's documentation writes it (`get`, `set`, `del`). */
  readonly cmd: string;
  /** The span's operation name: `Redis/GET`. */
  readonly operation: string;
  /** `cache.op`, or undefined for commands that are neither (connection, server, pub/sub, scripting). */
  readonly op: CacheOp | undefined;
  /** Where the key is: an argument index (after the name), or a `KeyAt` rule. */
  readonly keyAt: number;
}

// Redis's own command table (`COMMAND INFO`): commands flagged `write`, and those flagged `readonly`. The server is
// the authority on whether a command changes data; `commands.test.ts` checks these lists against a live server.
const WRITE = `append bitfield bitop blmove blmpop blpop brpop brpoplpush bzmpop bzpopmax bzpopmin copy decr decrby
  del expire expireat flushall flushdb geoadd georadius georadiusbymember geosearchstore getdel getex getset hdel
  hincrby hincrbyfloat hmset hset hsetnx incr incrby incrbyfloat linsert lmove lmpop lpop lpush lpushx lrem lset ltrim
  migrate move mset msetnx persist pexpire pexpireat pfadd pfdebug pfmerge psetex rename renamenx restore
  restore-asking rpop rpoplpush rpush rpushx sadd sdiffstore set setbit setex setnx setrange sinterstore smove sort
  spop srem sunionstore swapdb unlink xack xadd xautoclaim xclaim xdel xreadgroup xsetid xtrim zadd zdiffstore
  zincrby zinterstore zmpop zpopmax zpopmin zrangestore zrem zremrangebylex zremrangebyrank zremrangebyscore
  zunionstore hexpire hpexpire hexpireat hpexpireat hpersist hgetdel hgetex hsetex`;

const READ = `bitcount bitfield_ro bitpos dbsize dump eval_ro evalsha_ro exists expiretime fcall_ro geodist geohash
  geopos georadius_ro georadiusbymember_ro geosearch get getbit getrange hexists hget hgetall hkeys hlen hmget
  hrandfield hscan hstrlen hvals keys lcs lindex llen lolwut lpos lrange mget pexpiretime pfcount pttl randomkey scan
  scard sdiff sinter sintercard sismember smembers smismember sort_ro srandmember sscan strlen substr sunion touch ttl
  type xlen xpending xrange xread xrevrange zcard zcount zdiff zinter zintercard zlexcount zmscore zrandmember zrange
  zrangebylex zrangebyscore zrank zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion httl hpttl
  hexpiretime hpexpiretime`;

// Container commands whose subcommand comes first and whose key (if any) is the argument after it: the server flags
// their key-taking subcommands (OBJECT ENCODING, MEMORY USAGE, XINFO STREAM) `readonly` and XGROUP's `write`.
const READ_CONTAINERS = 'object memory xinfo';
const WRITE_CONTAINERS = 'xgroup';

// Commands that take keys but are neither read nor write for the server: scripts and functions may do either.
const UNCLASSIFIED_WITH_KEYS = 'eval evalsha fcall watch';

// Where the first key is when it is not the first argument (from the server's key specifications).
const KEY_POSITIONS: Readonly<Record<string, number>> = {
  dbsize: KeyAt.None,
  flushall: KeyAt.None,
  flushdb: KeyAt.None,
  keys: KeyAt.None,
  lolwut: KeyAt.None,
  randomkey: KeyAt.None,
  scan: KeyAt.None,
  swapdb: KeyAt.None,
  bitop: 1,
  pfdebug: 1,
  eval: KeyAt.NumKeysAt1,
  evalsha: KeyAt.NumKeysAt1,
  eval_ro: KeyAt.NumKeysAt1,
  evalsha_ro: KeyAt.NumKeysAt1,
  fcall: KeyAt.NumKeysAt1,
  fcall_ro: KeyAt.NumKeysAt1,
  blmpop: KeyAt.NumKeysAt1,
  bzmpop: KeyAt.NumKeysAt1,
  lmpop: KeyAt.NumKeysAt0,
  zmpop: KeyAt.NumKeysAt0,
  sintercard: KeyAt.NumKeysAt0,
  zintercard: KeyAt.NumKeysAt0,
  zinter: KeyAt.NumKeysAt0,
  zunion: KeyAt.NumKeysAt0,
  zdiff: KeyAt.NumKeysAt0,
  xread: KeyAt.AfterStreams,
  xreadgroup: KeyAt.AfterStreams,
  migrate: KeyAt.Migrate,
};

const SPECS = new Map<string, CommandSpec>();

function define(names: string, op: CacheOp | undefined, keyAt: number): void {
  for (const cmd of names.split(/\s+/)) {
    if (cmd === '') continue;
    const spec: CommandSpec = {
      cmd,
      operation: `Redis/${cmd.toUpperCase()}`,
      op,
      keyAt: KEY_POSITIONS[cmd] ?? keyAt,
    };
    // node-redis sends names in upper case, ioredis in lower case: both are looked up without converting.
    SPECS.set(cmd, spec);
    SPECS.set(cmd.toUpperCase(), spec);
  }
}

define(WRITE, 'write', 0);
define(READ, 'read', 0);
define(READ_CONTAINERS, 'read', 1);
define(WRITE_CONTAINERS, 'write', 1);
define(UNCLASSIFIED_WITH_KEYS, undefined, 0);

/** The spec of a command by name (any case); commands not in the table get no `cache.op` and no key. */
export function commandSpec(name: string): CommandSpec {
  const known = SPECS.get(name) ?? SPECS.get(name.toLowerCase());
  if (known !== undefined) return known;
  const cmd = name.toLowerCase();
  return { cmd, operation: `Redis/${name.toUpperCase()}`, op: undefined, keyAt: KeyAt.None };
}

/**
 * The command's first key as sent (the raw argument), or undefined. `args` holds the arguments after the command
 * name starting at `start` (node-redis keeps the name at index 0, ioredis does not).
 */
export function firstKeyArgument(
  spec: CommandSpec,
  args: ArrayLike<unknown>,
  start: number,
): unknown {
  const at = spec.keyAt;
  if (at >= 0) return args[start + at];
  switch (at) {
    case KeyAt.NumKeysAt1:
      return Number(args[start + 1]) > 0 ? args[start + 2] : undefined;
    case KeyAt.NumKeysAt0:
      return Number(args[start]) > 0 ? args[start + 1] : undefined;
    case KeyAt.AfterStreams:
      return argumentAfter(args, start, 'streams');
    case KeyAt.Migrate: {
      const key = args[start + 2];
      return key === '' ? argumentAfter(args, start, 'keys') : key;
    }
    default:
      return undefined;
  }
}

function argumentAfter(args: ArrayLike<unknown>, start: number, token: string): unknown {
  for (let i = start; i < args.length - 1; i++) {
    const value = args[i];
    if (typeof value === 'string' && value.toLowerCase() === token) return args[i + 1];
  }
  return undefined;
}
