package io.twsbridge.bridge.gateway;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class IbErrorCodesTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
            "2104, INFO", "2106, INFO", "2158, INFO", "202, INFO",
            "1100, CONNECTIVITY_LOST", "1101, CONNECTIVITY_RESTORED_DATA_LOST", "1102, CONNECTIVITY_RESTORED",
            "326, CLIENT_ID_IN_USE", "100, PACING_VIOLATION", "10197, WARNING",
            "200, REQUEST_FAILED", "201, REQUEST_FAILED", "103, REQUEST_FAILED",
            "506, FATAL", "1300, FATAL",
            // not in the table: IB's 21xx block is notices, anything else a failed request
            "2199, WARNING", "99999, REQUEST_FAILED"})
    void everyCodeHasOneCategory(int code, IbErrorCategory category) {
        assertThat(IbErrorCodes.lookup(code).category()).isEqualTo(category);
        assertThat(IbErrorCodes.lookup(code).name()).isNotBlank();
    }

    @ParameterizedTest(name = "{0} \"{1}\" is {2}")
    @CsvSource(delimiter = '|', value = {
            "162 | Historical Market Data Service error message:Historical data request pacing violation | PACING_VIOLATION",
            "162 | Historical Market Data Service error message: Historical data request pacing violation | PACING_VIOLATION",
            "162 | Historical Market Data Service error message:HMDS query returned no data: AAPL@SMART Trades | NO_DATA",
            "162 | Historical Market Data Service error message:No historical market data for AAPL/STK@SMART Bid_Ask 60 | NO_DATA",
            "162 | Historical Market Data Service error message:No market data permissions for NYSE STK | NO_PERMISSION",
            "162 | Historical Market Data Service error message:API historical data query cancelled: 17 | CANCELLED",
            "162 | Historical Market Data Service error message:Time length exceed max. | OTHER",
            "166 | HMDS Expired Contract Violation. | NO_DATA",
            "354 | Requested market data is not subscribed. | NO_PERMISSION",
            "321 | Error validating request:-'bS' : cause - Historical data bar size setting is invalid. | OTHER"})
    void aHistoricalRefusalIsToldApartByItsText(int code, String text, IbErrorCodes.HistoricalRefusal refusal) {
        assertThat(IbErrorCodes.historicalRefusal(code, text)).isEqualTo(refusal);
    }
}
