import { Button } from 'antd';
import { useI18n } from '../i18n/i18n.tsx';

/** The "load more" button under a cursor-paged list; nothing once the last page is in. */
export function LoadMore({
  list,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => unknown };
}) {
  const { t } = useI18n();
  return list.hasNextPage ? (
    <Button
      block
      style={{ marginTop: 8 }}
      loading={list.isFetchingNextPage}
      onClick={() => list.fetchNextPage()}
    >
      {t('common.loadMore')}
    </Button>
  ) : null;
}
