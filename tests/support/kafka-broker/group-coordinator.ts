/**
 * Consumer-group coordinator following Kafka's classic group protocol: Empty → PreparingRebalance
 * (JoinGroup waits until every known member has rejoined, at most the largest rebalance timeout)
 * → CompletingRebalance (followers' SyncGroup waits for the leader's assignment) → Stable.
 * Members that stop heartbeating for their session timeout are removed, which triggers a rebalance.
 *
 * Committed offsets are durable: groups.json is rewritten atomically on every commit. Group
 * membership is not (as in Kafka, clients simply rejoin after a coordinator restart).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { ErrorCode } from './errors.js';
import { readJson, writeJsonAtomic } from './json-file.js';
import type {
  GroupDescription,
  GroupProtocol,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  OffsetCommitRequest,
  OffsetFetchRequest,
  OffsetFetchResponse,
  PartitionErrors,
  SyncGroupRequest,
  SyncGroupResponse,
} from './protocol.js';

type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable';

export interface ClientInfo {
  clientId: string;
  clientHost: string;
}

interface Member extends ClientInfo {
  id: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: GroupProtocol[];
  assignment: Buffer;
  lastHeartbeat: number;
  joinWaiter: ((res: JoinGroupResponse) => void) | null;
  syncWaiter: ((res: SyncGroupResponse) => void) | null;
}

interface Group {
  id: string;
  state: GroupState;
  generationId: number;
  protocolType: string | null;
  protocol: string | null;
  leaderId: string | null;
  members: Map<string, Member>;
  rebalanceDeadline: number;
}

export interface CommittedOffset {
  offset: number;
  metadata: string | null;
}

/** groupId → topic → partition → offset. */
type OffsetStore = Map<string, Map<string, Map<number, CommittedOffset>>>;

interface GroupsFile {
  version: 1;
  offsets: Record<string, Record<string, Record<string, [number, string | null]>>>;
}

const EMPTY = Buffer.alloc(0);

function sameProtocols(a: GroupProtocol[], b: GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly offsets: OffsetStore = new Map();
  private readonly file: string;

  constructor(dataDir: string, private readonly now: () => number = Date.now) {
    this.file = path.join(dataDir, 'groups.json');
    const state = readJson<GroupsFile>(this.file, { version: 1, offsets: {} });
    for (const [groupId, topics] of Object.entries(state.offsets)) {
      for (const [topic, partitions] of Object.entries(topics)) {
        for (const [p, [offset, metadata]] of Object.entries(partitions)) {
          this.setOffset(groupId, topic, Number(p), { offset, metadata });
        }
      }
    }
  }

  // ------------------------------------------------------------ membership

  join(req: JoinGroupRequest, client: ClientInfo): Promise<JoinGroupResponse> | JoinGroupResponse {
    const fail = (errorCode: ErrorCode): JoinGroupResponse => ({
      errorCode,
      generationId: -1,
      protocolName: '',
      leaderId: '',
      memberId: req.memberId,
      members: [],
    });
    if (!req.groupId) return fail(ErrorCode.INVALID_GROUP_ID);
    if (req.sessionTimeoutMs <= 0) return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    if (!req.protocolType || req.protocols.length === 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    let g = this.groups.get(req.groupId);
    if (g && g.members.size > 0) {
      const others = [...g.members.values()].filter((m) => m.id !== req.memberId);
      const compatible = req.protocols.some((p) => others.every((m) => m.protocols.some((q) => q.name === p.name)));
      if (g.protocolType !== req.protocolType || !compatible) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (!g) {
      g = { id: req.groupId, state: 'Empty', generationId: 0, protocolType: null, protocol: null, leaderId: null, members: new Map(), rebalanceDeadline: 0 };
      this.groups.set(g.id, g);
    }
    const group = g;

    let member: Member;
    if (req.memberId === '') {
      member = {
        id: `${client.clientId || 'member'}-${randomUUID()}`,
        clientId: client.clientId,
        clientHost: client.clientHost,
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs: req.rebalanceTimeoutMs,
        protocols: req.protocols,
        assignment: EMPTY,
        lastHeartbeat: this.now(),
        joinWaiter: null,
        syncWaiter: null,
      };
      group.members.set(member.id, member);
      if (group.protocolType === null) group.protocolType = req.protocolType;
      if (group.state !== 'PreparingRebalance') this.prepareRebalance(group);
    } else {
      const existing = group.members.get(req.memberId);
      if (!existing) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      member = existing;
      const unchanged = sameProtocols(member.protocols, req.protocols);
      member.sessionTimeoutMs = req.sessionTimeoutMs;
      member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
      member.protocols = req.protocols;
      member.lastHeartbeat = this.now();
      if (group.state === 'CompletingRebalance' && unchanged) return this.joinResult(group, member);
      // Like Kafka: a follower rejoining a stable group with the same subscription just gets the
      // current generation back; the leader rejoining (or a changed subscription) forces a rebalance.
      if (group.state === 'Stable' && unchanged && member.id !== group.leaderId) return this.joinResult(group, member);
      if (group.state !== 'PreparingRebalance') this.prepareRebalance(group);
    }

    const pending = new Promise<JoinGroupResponse>((resolve) => {
      // A client that retried its join on a new connection supersedes the old request.
      member.joinWaiter?.(fail(ErrorCode.REBALANCE_IN_PROGRESS));
      member.joinWaiter = resolve;
    });
    this.tryCompleteJoin(group);
    return pending;
  }

  private joinResult(g: Group, m: Member): JoinGroupResponse {
    const isLeader = m.id === g.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: g.generationId,
      protocolName: g.protocol ?? '',
      leaderId: g.leaderId ?? '',
      memberId: m.id,
      members: isLeader
        ? [...g.members.values()].map((x) => ({ memberId: x.id, metadata: this.metadataFor(x, g.protocol) }))
        : [],
    };
  }

  private metadataFor(m: Member, protocol: string | null): Buffer {
    return m.protocols.find((p) => p.name === protocol)?.metadata ?? EMPTY;
  }

  private prepareRebalance(g: Group): void {
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) this.answerSync(m, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
    }
    g.state = 'PreparingRebalance';
    const timeout = Math.max(0, ...[...g.members.values()].map((m) => m.rebalanceTimeoutMs));
    g.rebalanceDeadline = this.now() + timeout;
  }

  private tryCompleteJoin(g: Group): void {
    if (g.state === 'PreparingRebalance' && [...g.members.values()].every((m) => m.joinWaiter !== null)) this.completeJoin(g);
  }

  /** Ends the join phase: members that did not rejoin are dropped, the rest get the new generation. */
  private completeJoin(g: Group): void {
    for (const m of [...g.members.values()]) if (!m.joinWaiter) g.members.delete(m.id);
    g.generationId++;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocol = null;
      g.leaderId = null;
      return;
    }
    const members = [...g.members.values()];
    if (!g.leaderId || !g.members.has(g.leaderId)) g.leaderId = members[0]!.id;
    g.protocol = this.selectProtocol(members, g.members.get(g.leaderId)!);
    g.state = 'CompletingRebalance';
    const now = this.now();
    for (const m of members) {
      const answer = m.joinWaiter!;
      m.joinWaiter = null;
      m.lastHeartbeat = now;
      m.assignment = EMPTY;
      answer(this.joinResult(g, m));
    }
  }

  /** Kafka's vote: each member picks its most preferred protocol that every member supports. */
  private selectProtocol(members: Member[], leader: Member): string {
    const common = leader.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    const votes = new Map<string, number>();
    for (const m of members) {
      const choice = m.protocols.find((p) => common.includes(p.name))?.name;
      if (choice) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best = common[0] ?? leader.protocols[0]!.name;
    for (const name of common) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
    return best;
  }

  sync(req: SyncGroupRequest): Promise<SyncGroupResponse> | SyncGroupResponse {
    const fail = (errorCode: ErrorCode): SyncGroupResponse => ({ errorCode, assignment: EMPTY });
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (!g || !m) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== g.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    if (g.state === 'PreparingRebalance') return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    m.lastHeartbeat = this.now();
    if (g.state === 'Stable') return { errorCode: ErrorCode.NONE, assignment: m.assignment };
    const pending = new Promise<SyncGroupResponse>((resolve) => {
      this.answerSync(m, fail(ErrorCode.REBALANCE_IN_PROGRESS));
      m.syncWaiter = resolve;
    });
    if (m.id === g.leaderId) {
      const given = new Map(req.assignments.map((a) => [a.memberId, a.assignment]));
      for (const x of g.members.values()) x.assignment = given.get(x.id) ?? EMPTY;
      g.state = 'Stable';
      for (const x of g.members.values()) this.answerSync(x, { errorCode: ErrorCode.NONE, assignment: x.assignment });
    }
    return pending;
  }

  private answerSync(m: Member, res: SyncGroupResponse): void {
    const answer = m.syncWaiter;
    m.syncWaiter = null;
    answer?.(res);
  }

  heartbeat(req: HeartbeatRequest): ErrorCode {
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    m.lastHeartbeat = this.now();
    return g.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leave(req: LeaveGroupRequest): ErrorCode {
    const g = this.groups.get(req.groupId);
    const m = g?.members.get(req.memberId);
    if (!g || !m) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.removeMember(g, m);
    return ErrorCode.NONE;
  }

  private removeMember(g: Group, m: Member): void {
    m.joinWaiter?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, generationId: -1, protocolName: '', leaderId: '', memberId: m.id, members: [] });
    m.joinWaiter = null;
    this.answerSync(m, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    g.members.delete(m.id);
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') this.prepareRebalance(g);
    if (g.members.size === 0) this.completeJoin(g);
    else this.tryCompleteJoin(g);
  }

  /** Expires silent members and ends join phases whose rebalance timeout has passed. */
  tick(): void {
    const now = this.now();
    for (const g of this.groups.values()) {
      for (const m of [...g.members.values()]) {
        const expired = !m.joinWaiter && now - m.lastHeartbeat > m.sessionTimeoutMs;
        if (expired && g.members.has(m.id)) this.removeMember(g, m);
      }
      if (g.state === 'PreparingRebalance' && now >= g.rebalanceDeadline) this.completeJoin(g);
    }
  }

  // ------------------------------------------------------------ offsets

  commitOffsets(req: OffsetCommitRequest): PartitionErrors {
    const g = this.groups.get(req.groupId);
    let error = ErrorCode.NONE;
    if (!req.groupId) error = ErrorCode.INVALID_GROUP_ID;
    else if (req.generationId < 0 && req.memberId === '' && (!g || g.members.size === 0)) {
      // A "simple" commit outside group membership (admin tools, manual assignment).
    } else if (g?.state === 'CompletingRebalance') error = ErrorCode.REBALANCE_IN_PROGRESS;
    else if (!g || !g.members.has(req.memberId)) error = ErrorCode.UNKNOWN_MEMBER_ID;
    else if (req.generationId !== g.generationId) error = ErrorCode.ILLEGAL_GENERATION;
    else g.members.get(req.memberId)!.lastHeartbeat = this.now(); // a commit proves liveness, as in Kafka
    if (error === ErrorCode.NONE) {
      for (const t of req.topics) for (const p of t.partitions) this.setOffset(req.groupId, t.name, p.partition, p);
      this.persist();
    }
    return {
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: error })) })),
    };
  }

  /** Offsets committed by a transaction become visible only here, at EndTxn(commit). */
  applyOffsets(groupId: string, entries: { topic: string; partition: number; offset: number; metadata: string | null }[]): void {
    for (const e of entries) this.setOffset(groupId, e.topic, e.partition, e);
    this.persist();
  }

  private setOffset(groupId: string, topic: string, partition: number, o: CommittedOffset): void {
    let topics = this.offsets.get(groupId);
    if (!topics) this.offsets.set(groupId, (topics = new Map()));
    let partitions = topics.get(topic);
    if (!partitions) topics.set(topic, (partitions = new Map()));
    partitions.set(partition, { offset: o.offset, metadata: o.metadata });
  }

  fetchOffsets(req: OffsetFetchRequest): OffsetFetchResponse {
    const stored = this.offsets.get(req.groupId);
    const wanted =
      req.topics ?? [...(stored ?? new Map<string, Map<number, CommittedOffset>>())].map(([name, ps]) => ({ name, partitions: [...ps.keys()].sort((a, b) => a - b) }));
    return {
      errorCode: ErrorCode.NONE,
      topics: wanted.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((partition) => {
          const o = stored?.get(t.name)?.get(partition);
          return { partition, offset: o?.offset ?? -1, metadata: o ? o.metadata : '', errorCode: ErrorCode.NONE };
        }),
      })),
    };
  }

  /** Kafka drops a deleted topic's committed offsets; so does this broker. */
  forgetTopic(topic: string): void {
    let changed = false;
    for (const topics of this.offsets.values()) changed = topics.delete(topic) || changed;
    if (changed) this.persist();
  }

  private persist(): void {
    const offsets: GroupsFile['offsets'] = {};
    for (const [groupId, topics] of this.offsets) {
      const t: Record<string, Record<string, [number, string | null]>> = (offsets[groupId] = {});
      for (const [topic, partitions] of topics) {
        const p: Record<string, [number, string | null]> = (t[topic] = {});
        for (const [partition, o] of partitions) p[partition] = [o.offset, o.metadata];
      }
    }
    writeJsonAtomic(this.file, { version: 1, offsets } satisfies GroupsFile);
  }

  // ------------------------------------------------------------ admin

  describe(groupIds: string[]): GroupDescription[] {
    return groupIds.map((groupId) => {
      const g = this.groups.get(groupId);
      if (!g) {
        const state = this.offsets.has(groupId) ? 'Empty' : 'Dead';
        return { errorCode: ErrorCode.NONE, groupId, state, protocolType: '', protocol: '', members: [] };
      }
      const stable = g.state === 'Stable';
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        state: g.state,
        protocolType: g.protocolType ?? '',
        protocol: stable ? (g.protocol ?? '') : '',
        members: [...g.members.values()].map((m) => ({
          memberId: m.id,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: stable ? this.metadataFor(m, g.protocol) : EMPTY,
          assignment: stable ? m.assignment : EMPTY,
        })),
      };
    });
  }

  list(): { groupId: string; protocolType: string }[] {
    const ids = new Set([...this.groups.keys(), ...this.offsets.keys()]);
    return [...ids].sort().map((groupId) => ({ groupId, protocolType: this.groups.get(groupId)?.protocolType ?? '' }));
  }

  deleteGroups(groupIds: string[]): { groupId: string; errorCode: ErrorCode }[] {
    const results = groupIds.map((groupId) => {
      const g = this.groups.get(groupId);
      if (g && g.members.size > 0) return { groupId, errorCode: ErrorCode.NON_EMPTY_GROUP };
      if (!g && !this.offsets.has(groupId)) return { groupId, errorCode: ErrorCode.GROUP_ID_NOT_FOUND };
      this.groups.delete(groupId);
      this.offsets.delete(groupId);
      return { groupId, errorCode: ErrorCode.NONE };
    });
    this.persist();
    return results;
  }

  /** Answers every parked JoinGroup/SyncGroup so no handler is left waiting at shutdown. */
  close(): void {
    for (const g of this.groups.values()) {
      for (const m of g.members.values()) {
        m.joinWaiter?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, generationId: -1, protocolName: '', leaderId: '', memberId: m.id, members: [] });
        m.joinWaiter = null;
        this.answerSync(m, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      }
    }
  }
}
