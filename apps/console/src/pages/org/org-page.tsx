import type { OrgUnit } from '@pond/contracts';
import { Col, Row } from 'antd';
import { useMemo, useState } from 'react';
import { useOrgUnits } from '../../api/use-org-units.ts';
import { usePermissions } from '../../components/app-layout.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { OrgTreePanel } from './org-tree-panel.tsx';
import { StaffPanel } from './staff-panel.tsx';
import { buildUnitTree } from './unit-tree.ts';

/** The org tree on the left, the staff of the selected unit (and below) on the right. */
export function OrgPage() {
  const { t } = useI18n();
  const permissions = usePermissions();
  const units = useOrgUnits();
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const list = units.data ?? [];
  const tree = useMemo(
    () => buildUnitTree(units.data ?? [], (u) => `${u.name} · ${t(`org.kind.${u.kind}`)}`),
    [units.data, t],
  );
  const selected: OrgUnit | null = list.find((u) => u.id === selectedId) ?? list[0] ?? null;
  return (
    <Row gutter={16}>
      <Col xs={24} lg={8}>
        <OrgTreePanel
          tree={tree}
          loading={units.isPending}
          selected={selected}
          onSelect={(u) => setSelectedId(u.id)}
          canWrite={permissions.has('org.write')}
        />
      </Col>
      <Col xs={24} lg={16}>
        <StaffPanel unit={selected} units={list} tree={tree} canWrite={permissions.has('staff.write')} />
      </Col>
    </Row>
  );
}
