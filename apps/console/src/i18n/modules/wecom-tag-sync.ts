/** Console messages of the corp tag sync on the tags page. */
export const zhCN = {
  'tagSync.label': '同步到企业微信',
  'tagSync.hint':
    '开启后，本组标签会在企业微信中创建并随改名更新，在 Pond 中给客户打标签或去标签会同步到客户的企业微信好友关系上',
  'tagSync.fromWeCom': '该标签组来自企业微信，始终保持同步',
  'tagSync.error': '企业微信同步出错',
} as const;

export const en: Record<keyof typeof zhCN, string> = {
  'tagSync.label': 'Synced to WeCom',
  'tagSync.hint':
    "When on, this group's tags are created in WeCom and renamed with Pond, and tagging or untagging a customer in Pond marks the tag on the customer's WeCom relationships",
  'tagSync.fromWeCom': 'This tag group comes from WeCom and is always synced',
  'tagSync.error': 'WeCom sync error',
};
