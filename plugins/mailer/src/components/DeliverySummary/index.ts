export { DeliverySummaryCard } from './DeliverySummaryCard';
