import { createTheme, Drawer, Modal, Notification, Table, type CSSVariablesResolver } from '@mantine/core';

export const theme = createTheme({
  primaryColor: 'blue',
  // Shade 8 keeps white button text above WCAG AA contrast (4.5:1) in both schemes.
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  components: {
    // Wide tables scroll sideways on phones; keyboard users must be able to focus them to scroll.
    TableScrollContainer: Table.ScrollContainer.extend({ defaultProps: { scrollAreaProps: { viewportProps: { tabIndex: 0 } } } }),
    // The close button of a toast is an icon alone: it needs a name for screen readers.
    // Under a title, Mantine greys a toast's text with gray-6 (3.3:1 on white); the dimmed colour passes AA.
    // Dialogs and drawers close with an icon button too.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Dismiss notification' } },
      styles: { description: { color: 'var(--mantine-color-dimmed)' } },
    }),
  },
});

/** Colours the dashboard uses for light and outline badges and buttons. */
const accentColors = ['blue', 'green', 'red', 'yellow', 'orange', 'teal', 'grape', 'gray'];

/**
 * Mantine's defaults for dimmed text and for light and outline variants fall below WCAG AA
 * contrast (4.5:1) in the light scheme; darker shades pass.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(
      accentColors.flatMap((color) => [
        // Even shade 9 of some palettes (green, teal) stays under 4.5:1 on their light background.
        [`--mantine-color-${color}-light-color`, `color-mix(in srgb, var(--mantine-color-${color}-9), black 30%)`],
        [`--mantine-color-${color}-outline`, `color-mix(in srgb, var(--mantine-color-${color}-9), black 30%)`],
      ]),
    ),
  },
  dark: { '--mantine-color-dimmed': 'var(--mantine-color-dark-1)' },
});
