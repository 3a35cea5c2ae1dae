export { NotificationsRepository, recordNotificationEvent } from './notifications.repository.js';
export { DIGEST_ITEMS, NotificationDelivery } from './delivery.js';
export { deliveryBackoffBaseMs, MAX_ATTEMPTS, NotificationRelay, retrySchedule } from './relay.js';
export {
  healthChangeEvents,
  recordBlueprintVersion,
  recordBudgetThreshold,
  recordJobOutcome,
  recordQuotaThreshold,
  recordReportReady,
} from './events.js';
export { NotificationsService } from './notifications.service.js';
export { SystemErrors, type ReportSystemError, type SystemErrorKind, type SystemErrorReport } from './system-errors.js';
export { registerNotificationRoutes } from './notifications.routes.js';
