export { NotificationsRepository, recordNotificationEvent } from './notifications.repository.js';
export { NotificationDelivery } from './delivery.js';
export { NotificationRelay } from './relay.js';
export { healthChangeEvents, recordBudgetThreshold } from './events.js';
export { NotificationsService } from './notifications.service.js';
export { registerNotificationRoutes } from './notifications.routes.js';
