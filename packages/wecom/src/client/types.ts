/**
 * Request and response types of the WeCom APIs Pond uses (SPEC §3), camelCase on our side.
 * The client maps them to and from the wire's snake_case names.
 */

/** A page of a cursor-paginated list; `nextCursor` is empty when done. */
export interface Page<T> {
  items: T[];
  nextCursor: string;
}

export interface Department {
  id: number;
  name: string;
  nameEn?: string;
  parentId: number;
  order: number;
  leaders: string[];
}

export interface DepartmentRef {
  id: number;
  parentId: number;
  order: number;
}

export interface UserSummary {
  userId: string;
  name: string;
  departments: number[];
  openUserId?: string;
}

/** Member status: 1 active · 2 disabled · 4 not activated · 5 left the corp. */
export type UserStatus = 1 | 2 | 4 | 5;

export interface User {
  userId: string;
  name: string;
  departments: number[];
  order: number[];
  mainDepartment?: number;
  position: string;
  mobile: string;
  /** "0" unknown, "1" male, "2" female (a string on the wire). */
  gender: string;
  email: string;
  avatar: string;
  alias: string;
  telephone: string;
  isLeaderInDept: number[];
  directLeader: string[];
  status: UserStatus;
  openUserId?: string;
  externalPosition?: string;
}

export interface UserIdEntry {
  userId: string;
  department: number;
}

/** A customer; `type` 1 WeChat user, 2 WeCom user. */
export interface ExternalContact {
  externalUserId: string;
  name: string;
  type: 1 | 2;
  /** 0 unknown, 1 male, 2 female. */
  gender: 0 | 1 | 2;
  avatar?: string;
  unionId?: string;
  position?: string;
  corpName?: string;
  corpFullName?: string;
}

/** `type` 1 corp tag, 2 personal tag (no id), 3 rule-group tag. */
export interface FollowTag {
  groupName: string;
  tagName: string;
  tagId?: string;
  type: 1 | 2 | 3;
}

export interface FollowBase {
  userId: string;
  remark: string;
  description: string;
  /** Seconds. */
  createTime: number;
  remarkCorpName?: string;
  remarkMobiles: string[];
  operUserId?: string;
  /** 来源 (SPEC §3.3); stored as the number WeCom sends. */
  addWay: number;
  state?: string;
}

export interface FollowUser extends FollowBase {
  tags: FollowTag[];
}

export interface FollowInfo extends FollowBase {
  tagIds: string[];
}

export interface ExternalContactDetail {
  externalContact: ExternalContact;
  followUsers: FollowUser[];
  nextCursor: string;
}

/** One (customer, member) relation from batch/get_by_user. */
export interface ContactRelation {
  externalContact: ExternalContact;
  followInfo: FollowInfo;
}

export interface RemarkRequest {
  userId: string;
  externalUserId: string;
  remark?: string;
  description?: string;
  remarkCompany?: string;
  /** Replaces the previous list; `[""]` clears it. */
  remarkMobiles?: string[];
  remarkPicMediaId?: string;
}

export interface CorpTag {
  id: string;
  name: string;
  createTime: number;
  order: number;
  deleted?: boolean;
}

export interface CorpTagGroup {
  groupId: string;
  groupName: string;
  createTime: number;
  order: number;
  deleted?: boolean;
  tags: CorpTag[];
}

export interface AddCorpTagRequest {
  /** Adds into this group; `groupName`/`order` are then ignored. */
  groupId?: string;
  /** A new group, or an existing group of that name. */
  groupName?: string;
  order?: number;
  tags: { name: string; order?: number }[];
  agentId?: number;
}

export interface MarkTagRequest {
  userId: string;
  externalUserId: string;
  addTagIds?: string[];
  removeTagIds?: string[];
}

/** Message content shared by welcome messages and closing messages. */
export type Attachment =
  | { type: 'image'; mediaId?: string; picUrl?: string }
  | { type: 'link'; title: string; url: string; picUrl?: string; desc?: string }
  | { type: 'miniprogram'; title: string; picMediaId: string; appId: string; page: string }
  | { type: 'video'; mediaId: string }
  | { type: 'file'; mediaId: string };

export interface Conclusions {
  text?: string;
  image?: { mediaId?: string; picUrl?: string };
  link?: { title: string; url: string; picUrl?: string; desc?: string };
  miniprogram?: { title: string; picMediaId: string; appId: string; page: string };
}

export interface ContactWayFields {
  /** scene 1 only. */
  style?: number;
  /** ≤ 30 chars. */
  remark?: string;
  skipVerify?: boolean;
  /** ≤ 30 chars; echoed as `State` in add_external_contact — Pond's channel key. */
  state?: string;
  users?: string[];
  parties?: number[];
  expiresIn?: number;
  chatExpiresIn?: number;
  unionId?: string;
  conclusions?: Conclusions;
}

export interface AddContactWayRequest extends ContactWayFields {
  /** 1 single member, 2 multiple members. */
  type: 1 | 2;
  /** 1 mini-program button, 2 QR code. */
  scene: 1 | 2;
  isTemp?: boolean;
  isExclusive?: boolean;
  markSource?: boolean;
}

export interface UpdateContactWayRequest extends ContactWayFields {
  configId: string;
}

export interface ContactWay extends AddContactWayRequest {
  configId: string;
  qrCode?: string;
  users: string[];
  parties: number[];
  skipVerify: boolean;
}

export interface WelcomeMessage {
  welcomeCode: string;
  text?: string;
  attachments?: Attachment[];
}

/** 0 normal · 1 owner resigned · 2 inheriting · 3 inherited. */
export interface GroupChatSummary {
  chatId: string;
  status: 0 | 1 | 2 | 3;
}

export interface GroupMember {
  userId: string;
  /** 1 member, 2 external customer. */
  type: 1 | 2;
  joinTime: number;
  /** 1 invited directly · 2 invited via link · 3 scanned the group QR code. */
  joinScene: number;
  invitor?: string;
  groupNickname?: string;
  name?: string;
  unionId?: string;
  state?: string;
}

export interface GroupChat {
  chatId: string;
  name: string;
  owner: string;
  createTime: number;
  notice: string;
  members: GroupMember[];
  admins: string[];
  memberVersion: string;
}

export interface TransferRequest {
  handoverUserId: string;
  takeoverUserId: string;
  /** ≤ 100 per call. */
  externalUserIds: string[];
  /** In-service only; ≤ 200 chars. */
  transferSuccessMsg?: string;
}

/** errcode 0 only means the transfer started. */
export interface TransferItemResult {
  externalUserId: string;
  errcode: number;
}

/** 1 done · 2 waiting · 3 customer refused · 4 takeover's customer limit reached · 5 no record. */
export type TransferStatusCode = 1 | 2 | 3 | 4 | 5;

export interface TransferStatus {
  externalUserId: string;
  status: TransferStatusCode;
  /** Seconds; the scheduled time while waiting. */
  takeoverTime: number;
}

export interface UnassignedCustomer {
  handoverUserId: string;
  externalUserId: string;
  dimissionTime: number;
}

export interface GroupTransferFailure {
  chatId: string;
  errcode: number;
  errmsg: string;
}

export type StaffMessageContent =
  | { type: 'text'; content: string }
  | { type: 'markdown'; content: string }
  | { type: 'textcard'; title: string; description: string; url: string; btnText?: string };

export interface SendMessageRequest {
  agentId: number;
  /** Member ids, or "@all". */
  toUsers?: string[] | '@all';
  toParties?: number[];
  toTags?: number[];
  message: StaffMessageContent;
  safe?: boolean;
  enableDuplicateCheck?: boolean;
  duplicateCheckInterval?: number;
}

export interface SendMessageResult {
  invalidUsers: string[];
  invalidParties: string[];
  invalidTags: string[];
  unlicensedUsers: string[];
  msgId: string;
}

export interface BehaviorDataRequest {
  userIds?: string[];
  partyIds?: number[];
  /** Seconds, rounded down to midnight by WeCom; span ≤ 30 days. */
  startTime: number;
  endTime: number;
}

export interface BehaviorData {
  statTime: number;
  chatCnt: number;
  messageCnt: number;
  replyPercentage?: number;
  avgReplyTime?: number;
  negativeFeedbackCnt: number;
  newApplyCnt: number;
  newContactCnt: number;
}
