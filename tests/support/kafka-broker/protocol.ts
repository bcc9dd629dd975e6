/**
 * The Kafka APIs this broker speaks: request header parsing, the advertised version ranges, and a
 * request decoder plus response encoder per API for exactly those versions. All advertised
 * versions are non-flexible (request header v1, response header v0), which is everything
 * kafkajs 2.2.4 implements except nothing it uses. Primitive encodings live in codec.ts.
 */
import { Reader, Writer } from './codec.js';

export { ProtocolError, Reader, Writer } from './codec.js';

export enum ApiKey {
  Produce = 0,
  Fetch = 1,
  ListOffsets = 2,
  Metadata = 3,
  OffsetCommit = 8,
  OffsetFetch = 9,
  FindCoordinator = 10,
  JoinGroup = 11,
  Heartbeat = 12,
  LeaveGroup = 13,
  SyncGroup = 14,
  DescribeGroups = 15,
  ListGroups = 16,
  ApiVersions = 18,
  CreateTopics = 19,
  DeleteTopics = 20,
  InitProducerId = 22,
  AddPartitionsToTxn = 24,
  AddOffsetsToTxn = 25,
  EndTxn = 26,
  TxnOffsetCommit = 28,
  CreatePartitions = 37,
  DeleteGroups = 42,
  SaslHandshake = 17,
  SaslAuthenticate = 36,
}

/** [min, max] per API; kafkajs uses min(its highest, our max), so the max is what it sends. */
export const SUPPORTED_VERSIONS: ReadonlyMap<ApiKey, readonly [number, number]> = new Map([
  [ApiKey.Produce, [3, 3]],
  [ApiKey.Fetch, [4, 4]],
  [ApiKey.ListOffsets, [1, 2]],
  [ApiKey.Metadata, [0, 4]],
  [ApiKey.OffsetCommit, [2, 3]],
  [ApiKey.OffsetFetch, [1, 3]],
  [ApiKey.FindCoordinator, [0, 1]],
  [ApiKey.JoinGroup, [0, 2]],
  [ApiKey.Heartbeat, [0, 1]],
  [ApiKey.LeaveGroup, [0, 1]],
  [ApiKey.SyncGroup, [0, 1]],
  [ApiKey.DescribeGroups, [0, 1]],
  [ApiKey.ListGroups, [0, 1]],
  [ApiKey.ApiVersions, [0, 2]],
  [ApiKey.CreateTopics, [0, 2]],
  [ApiKey.DeleteTopics, [0, 1]],
  [ApiKey.InitProducerId, [0, 1]],
  [ApiKey.AddPartitionsToTxn, [0, 1]],
  [ApiKey.AddOffsetsToTxn, [0, 1]],
  [ApiKey.EndTxn, [0, 1]],
  [ApiKey.TxnOffsetCommit, [0, 1]],
  [ApiKey.CreatePartitions, [0, 1]],
  [ApiKey.DeleteGroups, [0, 1]],
  [ApiKey.SaslHandshake, [0, 1]],
  [ApiKey.SaslAuthenticate, [0, 1]],
]);

export function isSupported(apiKey: number, version: number): boolean {
  const range = SUPPORTED_VERSIONS.get(apiKey);
  return range !== undefined && version >= range[0] && version <= range[1];
}

// ---------------------------------------------------------------- header

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Request header v1 (all advertised versions are non-flexible). */
export function readRequestHeader(r: Reader): RequestHeader {
  return { apiKey: r.int16(), apiVersion: r.int16(), correlationId: r.int32(), clientId: r.nullableString() };
}

/** Throttle time is always 0; it sits at the front of most responses from some version on. */
function throttle(w: Writer, version: number, since: number): void {
  if (version >= since) w.int32(0);
}

function int32Array(r: Reader): number[] {
  return r.array((x) => x.int32());
}

// ---------------------------------------------------------------- ApiVersions

export interface ApiVersionsResponse {
  errorCode: number;
}

export function encodeApiVersions(version: number, res: ApiVersionsResponse): Buffer {
  const w = new Writer();
  w.int16(res.errorCode);
  w.array([...SUPPORTED_VERSIONS], (w, [key, [min, max]]) => w.int16(key).int16(min).int16(max));
  throttle(w, version, 1);
  return w.toBuffer();
}

// ---------------------------------------------------------------- Produce v3

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topics: { name: string; partitions: { partition: number; records: Buffer | null }[] }[];
}

export function decodeProduce(r: Reader): ProduceRequest {
  return {
    transactionalId: r.nullableString(),
    acks: r.int16(),
    timeoutMs: r.int32(),
    topics: r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ partition: r.int32(), records: r.nullableBytes() })),
    })),
  };
}

export interface ProducePartitionResult {
  partition: number;
  errorCode: number;
  baseOffset: number;
}

export interface ProduceResponse {
  topics: { name: string; partitions: ProducePartitionResult[] }[];
}

export function encodeProduce(_version: number, res: ProduceResponse): Buffer {
  const w = new Writer();
  w.array(res.topics, (w, t) =>
    w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).int16(p.errorCode).int64(p.baseOffset).int64(-1)),
  );
  w.int32(0);
  return w.toBuffer();
}

// ---------------------------------------------------------------- Fetch v4

export interface FetchPartitionRequest {
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}

export interface FetchRequest {
  replicaId: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  topics: { name: string; partitions: FetchPartitionRequest[] }[];
}

export function decodeFetch(r: Reader): FetchRequest {
  return {
    replicaId: r.int32(),
    maxWaitMs: r.int32(),
    minBytes: r.int32(),
    maxBytes: r.int32(),
    isolationLevel: r.int8(),
    topics: r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ partition: r.int32(), fetchOffset: r.int64(), maxBytes: r.int32() })),
    })),
  };
}

export interface FetchPartitionResult {
  partition: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  records: Buffer;
}

export interface FetchResponse {
  topics: { name: string; partitions: FetchPartitionResult[] }[];
}

export function encodeFetch(_version: number, res: FetchResponse): Buffer {
  const w = new Writer(1024);
  w.int32(0);
  w.array(res.topics, (w, t) =>
    w.string(t.name).array(t.partitions, (w, p) => {
      w.int32(p.partition).int16(p.errorCode).int64(p.highWatermark).int64(p.lastStableOffset);
      w.int32(0); // aborted transactions: aborted data never reaches the log here
      w.bytes(p.records);
    }),
  );
  return w.toBuffer();
}

// ---------------------------------------------------------------- ListOffsets v1-v2

export interface ListOffsetsRequest {
  isolationLevel: number;
  topics: { name: string; partitions: { partition: number; timestamp: number }[] }[];
}

export function decodeListOffsets(r: Reader, version: number): ListOffsetsRequest {
  r.int32(); // replica id
  const isolationLevel = version >= 2 ? r.int8() : 0;
  return {
    isolationLevel,
    topics: r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => ({ partition: r.int32(), timestamp: r.int64() })),
    })),
  };
}

export interface ListOffsetsResponse {
  topics: { name: string; partitions: { partition: number; errorCode: number; timestamp: number; offset: number }[] }[];
}

export function encodeListOffsets(version: number, res: ListOffsetsResponse): Buffer {
  const w = new Writer();
  throttle(w, version, 2);
  w.array(res.topics, (w, t) =>
    w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).int16(p.errorCode).int64(p.timestamp).int64(p.offset)),
  );
  return w.toBuffer();
}

// ---------------------------------------------------------------- Metadata v0-v4

export interface MetadataRequest {
  /** null = all topics (v0 expresses that with an empty array). */
  topics: string[] | null;
  allowAutoTopicCreation: boolean;
}

export function decodeMetadata(r: Reader, version: number): MetadataRequest {
  let topics = r.nullableArray((r) => r.string());
  if (version === 0 && topics !== null && topics.length === 0) topics = null;
  const allowAutoTopicCreation = version >= 4 ? r.bool() : true;
  return { topics, allowAutoTopicCreation };
}

export interface MetadataResponse {
  nodeId: number;
  host: string;
  port: number;
  clusterId: string;
  topics: { errorCode: number; name: string; partitions: number }[];
}

export function encodeMetadata(version: number, res: MetadataResponse): Buffer {
  const w = new Writer();
  throttle(w, version, 3);
  w.int32(1).int32(res.nodeId).string(res.host).int32(res.port);
  if (version >= 1) w.nullableString(null); // rack
  if (version >= 2) w.nullableString(res.clusterId);
  if (version >= 1) w.int32(res.nodeId); // controller
  w.array(res.topics, (w, t) => {
    w.int16(t.errorCode).string(t.name);
    if (version >= 1) w.bool(false); // is_internal
    w.int32(t.partitions);
    for (let p = 0; p < t.partitions; p++) {
      w.int16(0).int32(p).int32(res.nodeId);
      w.int32(1).int32(res.nodeId); // replicas
      w.int32(1).int32(res.nodeId); // isr
    }
  });
  return w.toBuffer();
}

// ---------------------------------------------------------------- OffsetCommit v2-v3

export interface OffsetEntry {
  partition: number;
  offset: number;
  metadata: string | null;
}

export interface OffsetCommitRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  topics: { name: string; partitions: OffsetEntry[] }[];
}

function offsetEntry(r: Reader): OffsetEntry {
  return { partition: r.int32(), offset: r.int64(), metadata: r.nullableString() };
}

export function decodeOffsetCommit(r: Reader): OffsetCommitRequest {
  const groupId = r.string();
  const generationId = r.int32();
  const memberId = r.string();
  r.int64(); // retention time: offsets are kept forever here
  return { groupId, generationId, memberId, topics: r.array((r) => ({ name: r.string(), partitions: r.array(offsetEntry) })) };
}

export interface PartitionErrors {
  topics: { name: string; partitions: { partition: number; errorCode: number }[] }[];
}

function writePartitionErrors(w: Writer, res: PartitionErrors): void {
  w.array(res.topics, (w, t) => w.string(t.name).array(t.partitions, (w, p) => w.int32(p.partition).int16(p.errorCode)));
}

export function encodeOffsetCommit(version: number, res: PartitionErrors): Buffer {
  const w = new Writer();
  throttle(w, version, 3);
  writePartitionErrors(w, res);
  return w.toBuffer();
}

// ---------------------------------------------------------------- OffsetFetch v1-v3

export interface OffsetFetchRequest {
  groupId: string;
  /** null = every partition the group has an offset for (v2+). */
  topics: { name: string; partitions: number[] }[] | null;
}

export function decodeOffsetFetch(r: Reader): OffsetFetchRequest {
  return { groupId: r.string(), topics: r.nullableArray((r) => ({ name: r.string(), partitions: int32Array(r) })) };
}

export interface OffsetFetchResponse {
  errorCode: number;
  topics: { name: string; partitions: { partition: number; offset: number; metadata: string | null; errorCode: number }[] }[];
}

export function encodeOffsetFetch(version: number, res: OffsetFetchResponse): Buffer {
  const w = new Writer();
  throttle(w, version, 3);
  w.array(res.topics, (w, t) =>
    w
      .string(t.name)
      .array(t.partitions, (w, p) => w.int32(p.partition).int64(p.offset).nullableString(p.metadata).int16(p.errorCode)),
  );
  if (version >= 2) w.int16(res.errorCode);
  return w.toBuffer();
}

// ---------------------------------------------------------------- FindCoordinator v0-v1

export interface FindCoordinatorRequest {
  key: string;
  /** 0 = group, 1 = transaction. */
  keyType: number;
}

export function decodeFindCoordinator(r: Reader, version: number): FindCoordinatorRequest {
  const key = r.string();
  return { key, keyType: version >= 1 ? r.int8() : 0 };
}

export interface FindCoordinatorResponse {
  errorCode: number;
  nodeId: number;
  host: string;
  port: number;
}

export function encodeFindCoordinator(version: number, res: FindCoordinatorResponse): Buffer {
  const w = new Writer();
  throttle(w, version, 1);
  w.int16(res.errorCode);
  if (version >= 1) w.nullableString(null);
  w.int32(res.nodeId).string(res.host).int32(res.port);
  return w.toBuffer();
}

// ---------------------------------------------------------------- JoinGroup v0-v2

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  protocolType: string;
  protocols: GroupProtocol[];
}

export function decodeJoinGroup(r: Reader, version: number): JoinGroupRequest {
  const groupId = r.string();
  const sessionTimeoutMs = r.int32();
  const rebalanceTimeoutMs = version >= 1 ? r.int32() : sessionTimeoutMs;
  return {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs,
    memberId: r.string(),
    protocolType: r.string(),
    protocols: r.array((r) => ({ name: r.string(), metadata: Buffer.from(r.bytes()) })),
  };
}

export interface JoinGroupResponse {
  errorCode: number;
  generationId: number;
  protocolName: string;
  leaderId: string;
  memberId: string;
  members: { memberId: string; metadata: Buffer }[];
}

export function encodeJoinGroup(version: number, res: JoinGroupResponse): Buffer {
  const w = new Writer();
  throttle(w, version, 2);
  w.int16(res.errorCode).int32(res.generationId).string(res.protocolName).string(res.leaderId).string(res.memberId);
  w.array(res.members, (w, m) => w.string(m.memberId).bytes(m.metadata));
  return w.toBuffer();
}

// ---------------------------------------------------------------- SyncGroup / Heartbeat / LeaveGroup v0-v1

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  assignments: { memberId: string; assignment: Buffer }[];
}

export function decodeSyncGroup(r: Reader): SyncGroupRequest {
  return {
    groupId: r.string(),
    generationId: r.int32(),
    memberId: r.string(),
    assignments: r.array((r) => ({ memberId: r.string(), assignment: Buffer.from(r.bytes()) })),
  };
}

export interface SyncGroupResponse {
  errorCode: number;
  assignment: Buffer;
}

export function encodeSyncGroup(version: number, res: SyncGroupResponse): Buffer {
  const w = new Writer();
  throttle(w, version, 1);
  w.int16(res.errorCode).bytes(res.assignment);
  return w.toBuffer();
}

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
}

export function decodeHeartbeat(r: Reader): HeartbeatRequest {
  return { groupId: r.string(), generationId: r.int32(), memberId: r.string() };
}

export interface LeaveGroupRequest {
  groupId: string;
  memberId: string;
}

export function decodeLeaveGroup(r: Reader): LeaveGroupRequest {
  return { groupId: r.string(), memberId: r.string() };
}

/** Responses that are just an error code (Heartbeat, LeaveGroup, AddOffsetsToTxn, EndTxn, ...). */
export function encodeErrorOnly(version: number, throttleSince: number, errorCode: number): Buffer {
  const w = new Writer(8);
  throttle(w, version, throttleSince);
  w.int16(errorCode);
  return w.toBuffer();
}

// ---------------------------------------------------------------- DescribeGroups / ListGroups v0-v1

export function decodeDescribeGroups(r: Reader): string[] {
  return r.array((r) => r.string());
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: { memberId: string; clientId: string; clientHost: string; metadata: Buffer; assignment: Buffer }[];
}

export function encodeDescribeGroups(version: number, groups: GroupDescription[]): Buffer {
  const w = new Writer();
  throttle(w, version, 1);
  w.array(groups, (w, g) => {
    w.int16(g.errorCode).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol);
    w.array(g.members, (w, m) =>
      w.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment),
    );
  });
  return w.toBuffer();
}

export function encodeListGroups(version: number, groups: { groupId: string; protocolType: string }[]): Buffer {
  const w = new Writer();
  throttle(w, version, 1);
  w.int16(0).array(groups, (w, g) => w.string(g.groupId).string(g.protocolType));
  return w.toBuffer();
}

export function decodeDeleteGroups(r: Reader): string[] {
  return r.array((r) => r.string());
}

export function encodeDeleteGroups(_version: number, results: { groupId: string; errorCode: number }[]): Buffer {
  const w = new Writer();
  w.int32(0).array(results, (w, g) => w.string(g.groupId).int16(g.errorCode));
  return w.toBuffer();
}

// ---------------------------------------------------------------- CreateTopics v0-v2, DeleteTopics v0-v1, CreatePartitions v0-v1

export interface CreateTopicsRequest {
  topics: { name: string; numPartitions: number; replicationFactor: number; assignments: number }[];
  validateOnly: boolean;
}

export function decodeCreateTopics(r: Reader, version: number): CreateTopicsRequest {
  const topics = r.array((r) => {
    const name = r.string();
    const numPartitions = r.int32();
    const replicationFactor = r.int16();
    const assignments = r.array((r) => ({ partition: r.int32(), replicas: int32Array(r) })).length;
    r.array((r) => [r.string(), r.nullableString()]); // configs are accepted and ignored
    return { name, numPartitions, replicationFactor, assignments };
  });
  r.int32(); // timeout
  return { topics, validateOnly: version >= 1 ? r.bool() : false };
}

export interface TopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

export function encodeCreateTopics(version: number, results: TopicResult[]): Buffer {
  const w = new Writer();
  throttle(w, version, 2);
  w.array(results, (w, t) => {
    w.string(t.name).int16(t.errorCode);
    if (version >= 1) w.nullableString(t.errorMessage);
  });
  return w.toBuffer();
}

export function decodeDeleteTopics(r: Reader): string[] {
  const topics = r.array((r) => r.string());
  r.int32(); // timeout
  return topics;
}

export function encodeDeleteTopics(version: number, results: TopicResult[]): Buffer {
  const w = new Writer();
  throttle(w, version, 1);
  w.array(results, (w, t) => w.string(t.name).int16(t.errorCode));
  return w.toBuffer();
}

export interface CreatePartitionsRequest {
  topics: { name: string; count: number }[];
  validateOnly: boolean;
}

export function decodeCreatePartitions(r: Reader): CreatePartitionsRequest {
  const topics = r.array((r) => {
    const name = r.string();
    const count = r.int32();
    r.nullableArray((r) => r.nullableArray((r) => r.int32())); // manual assignments are meaningless on one node
    return { name, count };
  });
  r.int32(); // timeout
  return { topics, validateOnly: r.bool() };
}

export function encodeCreatePartitions(_version: number, results: TopicResult[]): Buffer {
  const w = new Writer();
  w.int32(0);
  w.array(results, (w, t) => w.string(t.name).int16(t.errorCode).nullableString(t.errorMessage));
  return w.toBuffer();
}

// ---------------------------------------------------------------- transactions (all v0-v1, identical layouts)

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

export function decodeInitProducerId(r: Reader): InitProducerIdRequest {
  return { transactionalId: r.nullableString(), transactionTimeoutMs: r.int32() };
}

export interface InitProducerIdResponse {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export function encodeInitProducerId(_version: number, res: InitProducerIdResponse): Buffer {
  return new Writer(20).int32(0).int16(res.errorCode).int64(res.producerId).int16(res.producerEpoch).toBuffer();
}

export interface TxnIdentity {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

export interface AddPartitionsToTxnRequest extends TxnIdentity {
  topics: { name: string; partitions: number[] }[];
}

export function decodeAddPartitionsToTxn(r: Reader): AddPartitionsToTxnRequest {
  return {
    transactionalId: r.string(),
    producerId: r.int64(),
    producerEpoch: r.int16(),
    topics: r.array((r) => ({ name: r.string(), partitions: int32Array(r) })),
  };
}

export function encodeAddPartitionsToTxn(_version: number, res: PartitionErrors): Buffer {
  const w = new Writer();
  w.int32(0);
  writePartitionErrors(w, res);
  return w.toBuffer();
}

export interface AddOffsetsToTxnRequest extends TxnIdentity {
  groupId: string;
}

export function decodeAddOffsetsToTxn(r: Reader): AddOffsetsToTxnRequest {
  return { transactionalId: r.string(), producerId: r.int64(), producerEpoch: r.int16(), groupId: r.string() };
}

export interface EndTxnRequest extends TxnIdentity {
  commit: boolean;
}

export function decodeEndTxn(r: Reader): EndTxnRequest {
  return { transactionalId: r.string(), producerId: r.int64(), producerEpoch: r.int16(), commit: r.bool() };
}

export interface TxnOffsetCommitRequest extends TxnIdentity {
  groupId: string;
  topics: { name: string; partitions: OffsetEntry[] }[];
}

export function decodeTxnOffsetCommit(r: Reader): TxnOffsetCommitRequest {
  const transactionalId = r.string();
  const groupId = r.string();
  return {
    transactionalId,
    groupId,
    producerId: r.int64(),
    producerEpoch: r.int16(),
    topics: r.array((r) => ({ name: r.string(), partitions: r.array(offsetEntry) })),
  };
}

export function encodeTxnOffsetCommit(_version: number, res: PartitionErrors): Buffer {
  const w = new Writer();
  w.int32(0);
  writePartitionErrors(w, res);
  return w.toBuffer();
}
