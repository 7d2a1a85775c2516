module courier.test/convertgo

go 1.26
