import { Tabs } from '@mantine/core';
import type { ComponentType } from 'react';
import { useNavigate } from 'react-router';

/** Tabs whose choice lives in the URL (`<base>/<tab>`), so each tab can be linked and reloaded. */
export function RoutedTabs<Props extends object>({
  base,
  current,
  tabs,
  props,
}: {
  base: string;
  current: string;
  tabs: ReadonlyArray<{ value: string; label: string; Panel: ComponentType<Props> }>;
  props: Props;
}) {
  const navigate = useNavigate();
  return (
    <Tabs value={current} onChange={(value) => navigate(`${base}/${value ?? tabs[0]!.value}`)} keepMounted={false}>
      {/* Tabs wrap onto a second row on phones: a row that scrolls sideways hides the last tabs without a sign. */}
      <Tabs.List mb="md" style={{ flexWrap: 'wrap' }}>
        {tabs.map((item) => (
          <Tabs.Tab key={item.value} value={item.value}>
            {item.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {tabs.map(({ value, Panel }) => (
        <Tabs.Panel key={value} value={value}>
          <Panel {...props} />
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
