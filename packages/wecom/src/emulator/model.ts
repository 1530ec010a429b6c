/**
 * The state of an emulated corp, in WeCom's own terms. The HTTP routes read it and the
 * corp's actions change it (and send the matching callbacks).
 */

export interface EmDepartment {
  id: number;
  name: string;
  nameEn: string;
  parentId: number;
  order: number;
  leaders: string[];
}

export interface EmUser {
  userId: string;
  name: string;
  departments: number[];
  mainDepartment: number;
  position: string;
  mobile: string;
  gender: '1' | '2';
  email: string;
  alias: string;
  /** 1 active · 2 disabled · 4 not activated · 5 left. */
  status: 1 | 2 | 4 | 5;
  /** Customer contact enabled (appears in get_follow_user_list). */
  customerContact: boolean;
  isLeaderInDept: number[];
  /** Seconds; set when the member left. */
  dimissionTime?: number;
}

export interface EmCustomer {
  externalUserId: string;
  name: string;
  type: 1 | 2;
  gender: 0 | 1 | 2;
  avatar: string;
  unionId?: string;
  corpName?: string;
  corpFullName?: string;
  position?: string;
}

export interface EmFollow {
  userId: string;
  externalUserId: string;
  remark: string;
  description: string;
  createTime: number;
  tagIds: string[];
  remarkCorpName?: string;
  remarkMobiles: string[];
  operUserId: string;
  addWay: number;
  state?: string;
}

export interface EmTag {
  id: string;
  name: string;
  createTime: number;
  order: number;
}

export interface EmTagGroup {
  groupId: string;
  groupName: string;
  createTime: number;
  order: number;
  tags: EmTag[];
  /** Created through this app's API; others can only be edited with `editAllTags` (301002). */
  createdByApi: boolean;
}

export interface EmGroupMember {
  userId: string;
  type: 1 | 2;
  joinTime: number;
  /** groupchat/get codes: 1 invited directly · 2 via link · 3 scanned the QR code. */
  joinScene: 1 | 2 | 3;
  invitor?: string;
  groupNickname: string;
  name: string;
  unionId?: string;
  state?: string;
}

export interface EmGroup {
  chatId: string;
  name: string;
  owner: string;
  createTime: number;
  notice: string;
  members: EmGroupMember[];
  admins: string[];
  memberVersion: string;
  /** 0 normal · 1 owner resigned · 2 inheriting · 3 inherited. */
  status: 0 | 1 | 2 | 3;
}

export interface EmContactWay {
  configId: string;
  type: 1 | 2;
  scene: 1 | 2;
  style?: number;
  remark: string;
  skipVerify: boolean;
  state: string;
  users: string[];
  parties: number[];
  isTemp: boolean;
  expiresIn?: number;
  chatExpiresIn?: number;
  unionId?: string;
  isExclusive?: boolean;
  conclusions?: Record<string, unknown>;
  qrCode?: string;
  createTime: number;
  /** Next member in the rotation for multi-member codes. */
  cursor: number;
}

export interface EmWelcomeCode {
  code: string;
  userId: string;
  externalUserId: string;
  /** Milliseconds. */
  expiresAt: number;
  used: boolean;
}

export interface EmTransfer {
  kind: 'onjob' | 'resigned';
  handoverUserId: string;
  takeoverUserId: string;
  externalUserId: string;
  /** 1 done · 2 waiting · 3 refused · 4 takeover's limit reached. */
  status: 1 | 2 | 3 | 4;
  /** Seconds: when it completes (waiting) or completed. */
  takeoverTime: number;
}

export interface CorpData {
  corpId: string;
  corpName: string;
  departments: EmDepartment[];
  users: EmUser[];
  customers: EmCustomer[];
  follows: EmFollow[];
  tagGroups: EmTagGroup[];
  groups: EmGroup[];
  contactWays: EmContactWay[];
}
