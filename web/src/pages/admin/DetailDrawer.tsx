import { Drawer } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { ReactNode } from 'react';

/** The admin panels' detail view: a side drawer, the whole screen on phones. */
export function DetailDrawer({
  opened,
  title,
  onClose,
  children,
}: {
  opened: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const narrow = useMediaQuery('(max-width: 40em)', false, { getInitialValueInEffect: false });
  return (
    <Drawer opened={opened} onClose={onClose} title={title} position="right" size={narrow ? '100%' : 'xl'}>
      {children}
    </Drawer>
  );
}
