import { Modal, Statistic, Table } from 'antd';
import { useAudienceOverlap } from '../../api/use-audiences.ts';
import { useI18n } from '../../i18n/i18n.tsx';

/** How the chosen audiences overlap: every pair, and the customers in all of them. */
export function OverlapModal({ ids, open, onClose }: { ids: string[]; open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const overlap = useAudienceOverlap(open ? ids : []);
  const name = (id: string) => overlap.data?.audiences.find((a) => a.id === id)?.name ?? id;
  const size = (id: string) => overlap.data?.audiences.find((a) => a.id === id)?.size ?? 0;
  const share = (both: number, of: number) => (of > 0 ? `${Math.round((both / of) * 100)}%` : '—');
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('audiences.overlap')} width={720}>
      <Statistic
        title={t('audiences.overlapAll')}
        value={overlap.data?.all ?? '…'}
        style={{ marginBottom: 16 }}
      />
      <Table
        rowKey={(p) => `${p.a}:${p.b}`}
        size="small"
        loading={overlap.isPending}
        pagination={false}
        dataSource={overlap.data?.pairs ?? []}
        columns={[
          { title: 'A', key: 'a', render: (_, p) => `${name(p.a)} (${size(p.a)})` },
          { title: 'B', key: 'b', render: (_, p) => `${name(p.b)} (${size(p.b)})` },
          { title: t('audiences.overlapBoth'), dataIndex: 'both' },
          { title: t('audiences.overlapShareA'), key: 'sa', render: (_, p) => share(p.both, size(p.a)) },
          { title: t('audiences.overlapShareB'), key: 'sb', render: (_, p) => share(p.both, size(p.b)) },
        ]}
      />
    </Modal>
  );
}
