export { SuppressedAddressesCard } from './SuppressedAddressesCard';
