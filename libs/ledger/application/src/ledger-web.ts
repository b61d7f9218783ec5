import { ListImportsHandler } from './imports-projection';
import { RentMonthsHandler, RentPositionHandler } from './rent-months-queries';

/** The ledger's queries behind the web app: the import history and the rent figures of the dashboard and the meeting pack. */
export const LEDGER_WEB_QUERY_HANDLERS = [ListImportsHandler, RentMonthsHandler, RentPositionHandler];
