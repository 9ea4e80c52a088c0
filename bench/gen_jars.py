#!/usr/bin/env python3
"""Generates the JARs of a Java application for the inventory benchmark.

usage: gen_jars.py OUT_DIR

Writes OUT_DIR/lib/ with 300 JARs named after real Maven coordinates (the
dependency set of a typical Spring Boot 2.7 service and its neighbours), and
OUT_DIR/webapps/shop.war holding 40 of them under WEB-INF/lib/. Each JAR has
META-INF/MANIFEST.MF, META-INF/maven/<group>/<artifact>/pom.properties and
pom.xml, and a few class-file-sized dummy classes; the WAR has its own
pom.properties, a web.xml and a few classes. Only the metadata is real: the
classes are random bytes behind the class-file magic. Deterministic: the same
run gives byte-identical files (fixed seed, fixed timestamps).
"""
import os
import random
import sys
import zipfile

# (groupId, version, artifactIds): families released together, so that one
# version serves several artifacts, as in a real dependency tree.
FAMILIES = [
    ("org.springframework", "5.3.31", [
        "spring-core", "spring-beans", "spring-context", "spring-context-support",
        "spring-aop", "spring-expression", "spring-jdbc", "spring-tx", "spring-orm",
        "spring-web", "spring-webmvc", "spring-webflux", "spring-jms",
        "spring-messaging", "spring-jcl"]),
    ("org.springframework.boot", "2.7.18", [
        "spring-boot", "spring-boot-autoconfigure", "spring-boot-actuator",
        "spring-boot-actuator-autoconfigure", "spring-boot-starter",
        "spring-boot-starter-web", "spring-boot-starter-json",
        "spring-boot-starter-tomcat", "spring-boot-starter-logging",
        "spring-boot-starter-data-jpa", "spring-boot-starter-jdbc",
        "spring-boot-starter-aop", "spring-boot-starter-actuator",
        "spring-boot-starter-validation", "spring-boot-starter-security"]),
    ("org.springframework.security", "5.7.11", [
        "spring-security-core", "spring-security-config", "spring-security-web",
        "spring-security-crypto", "spring-security-oauth2-core",
        "spring-security-oauth2-jose", "spring-security-oauth2-resource-server"]),
    ("org.springframework.data", "2.7.18", [
        "spring-data-commons", "spring-data-jpa", "spring-data-redis",
        "spring-data-keyvalue"]),
    ("org.springframework.amqp", "2.4.17", ["spring-amqp", "spring-rabbit"]),
    ("org.springframework.retry", "1.3.4", ["spring-retry"]),
    ("com.fasterxml.jackson.core", "2.13.5", [
        "jackson-core", "jackson-databind", "jackson-annotations"]),
    ("com.fasterxml.jackson.datatype", "2.13.5", [
        "jackson-datatype-jdk8", "jackson-datatype-jsr310", "jackson-datatype-joda",
        "jackson-datatype-guava"]),
    ("com.fasterxml.jackson.module", "2.13.5", [
        "jackson-module-parameter-names", "jackson-module-jaxb-annotations",
        "jackson-module-afterburner", "jackson-module-kotlin"]),
    ("com.fasterxml.jackson.dataformat", "2.13.5", [
        "jackson-dataformat-yaml", "jackson-dataformat-xml", "jackson-dataformat-cbor",
        "jackson-dataformat-smile", "jackson-dataformat-csv"]),
    ("com.fasterxml.jackson.jaxrs", "2.13.5", [
        "jackson-jaxrs-base", "jackson-jaxrs-json-provider"]),
    ("com.fasterxml", "1.1.0", ["classmate"]),
    ("com.fasterxml.woodstox", "6.4.0", ["woodstox-core"]),
    ("io.netty", "4.1.100.Final", [
        "netty-buffer", "netty-codec", "netty-codec-http", "netty-codec-http2",
        "netty-common", "netty-handler", "netty-resolver", "netty-resolver-dns",
        "netty-transport", "netty-transport-native-unix-common"]),
    ("io.projectreactor", "3.4.34", ["reactor-core"]),
    ("io.projectreactor.netty", "1.0.39", ["reactor-netty-core", "reactor-netty-http"]),
    ("org.reactivestreams", "1.0.4", ["reactive-streams"]),
    ("org.apache.tomcat.embed", "9.0.83", [
        "tomcat-embed-core", "tomcat-embed-el", "tomcat-embed-websocket"]),
    ("org.hibernate", "5.6.15.Final", ["hibernate-core", "hibernate-envers"]),
    ("org.hibernate.validator", "6.2.5.Final", ["hibernate-validator"]),
    ("org.hibernate.common", "5.1.2.Final", ["hibernate-commons-annotations"]),
    ("org.jboss.logging", "3.4.3.Final", ["jboss-logging"]),
    ("org.javassist", "3.29.2-GA", ["javassist"]),
    ("net.bytebuddy", "1.12.23", ["byte-buddy", "byte-buddy-agent"]),
    ("antlr", "2.7.7", ["antlr"]),
    ("org.antlr", "4.10.1", ["antlr4-runtime"]),
    ("org.jboss", "2.1.0", ["jandex"]),
    ("jakarta.persistence", "2.2.3", ["jakarta.persistence-api"]),
    ("jakarta.transaction", "1.3.3", ["jakarta.transaction-api"]),
    ("jakarta.validation", "2.0.2", ["jakarta.validation-api"]),
    ("jakarta.annotation", "1.3.5", ["jakarta.annotation-api"]),
    ("jakarta.activation", "1.2.2", ["jakarta.activation-api"]),
    ("jakarta.xml.bind", "2.3.3", ["jakarta.xml.bind-api"]),
    ("jakarta.servlet", "4.0.4", ["jakarta.servlet-api"]),
    ("jakarta.websocket", "1.1.2", ["jakarta.websocket-api"]),
    ("jakarta.mail", "1.6.7", ["jakarta.mail-api"]),
    ("com.sun.mail", "1.6.7", ["jakarta.mail"]),
    ("org.glassfish.jaxb", "2.3.9", ["jaxb-runtime", "txw2"]),
    ("com.sun.istack", "3.0.12", ["istack-commons-runtime"]),
    ("javax.cache", "1.1.1", ["cache-api"]),
    ("javax.inject", "1", ["javax.inject"]),
    ("aopalliance", "1.0", ["aopalliance"]),
    ("org.aspectj", "1.9.7", ["aspectjweaver", "aspectjrt"]),
    ("ch.qos.logback", "1.2.12", ["logback-classic", "logback-core"]),
    ("org.slf4j", "1.7.36", ["slf4j-api", "jul-to-slf4j", "jcl-over-slf4j", "log4j-over-slf4j"]),
    ("org.apache.logging.log4j", "2.17.2", ["log4j-api", "log4j-to-slf4j", "log4j-core"]),
    ("commons-io", "2.11.0", ["commons-io"]),
    ("commons-codec", "1.15", ["commons-codec"]),
    ("commons-logging", "1.2", ["commons-logging"]),
    ("commons-collections", "3.2.2", ["commons-collections"]),
    ("commons-beanutils", "1.9.4", ["commons-beanutils"]),
    ("commons-fileupload", "1.5", ["commons-fileupload"]),
    ("commons-lang", "2.6", ["commons-lang"]),
    ("commons-cli", "1.5.0", ["commons-cli"]),
    ("commons-net", "3.9.0", ["commons-net"]),
    ("commons-validator", "1.7", ["commons-validator"]),
    ("commons-digester", "2.1", ["commons-digester"]),
    ("org.apache.commons", "3.12.0", ["commons-lang3"]),
    ("org.apache.commons", "4.4", ["commons-collections4"]),
    ("org.apache.commons", "1.10.0", ["commons-text"]),
    ("org.apache.commons", "1.21", ["commons-compress"]),
    ("org.apache.commons", "2.11.1", ["commons-pool2"]),
    ("org.apache.commons", "2.9.0", ["commons-dbcp2"]),
    ("org.apache.commons", "3.6.1", ["commons-math3"]),
    ("org.apache.commons", "1.9.0", ["commons-csv"]),
    ("org.apache.commons", "2.8.0", ["commons-configuration2"]),
    ("org.apache.httpcomponents", "4.5.14", ["httpclient", "httpmime"]),
    ("org.apache.httpcomponents", "4.4.16", ["httpcore", "httpcore-nio"]),
    ("org.apache.httpcomponents", "4.1.5", ["httpasyncclient"]),
    ("org.apache.httpcomponents.client5", "5.1.4", ["httpclient5"]),
    ("org.apache.httpcomponents.core5", "5.1.5", ["httpcore5", "httpcore5-h2"]),
    ("com.squareup.okhttp3", "4.9.3", ["okhttp", "logging-interceptor"]),
    ("com.squareup.okio", "2.8.0", ["okio"]),
    ("com.squareup.retrofit2", "2.9.0", ["retrofit", "converter-jackson"]),
    ("org.jetbrains.kotlin", "1.6.21", [
        "kotlin-stdlib", "kotlin-stdlib-common", "kotlin-stdlib-jdk7",
        "kotlin-stdlib-jdk8", "kotlin-reflect"]),
    ("org.jetbrains", "13.0", ["annotations"]),
    ("com.google.guava", "31.1-jre", ["guava"]),
    ("com.google.guava", "1.0", ["failureaccess"]),
    ("com.google.guava", "9999.0-empty-to-avoid-conflict-with-guava", ["listenablefuture"]),
    ("com.google.code.findbugs", "3.0.2", ["jsr305"]),
    ("com.google.errorprone", "2.11.0", ["error_prone_annotations"]),
    ("com.google.j2objc", "1.3", ["j2objc-annotations"]),
    ("org.checkerframework", "3.12.0", ["checker-qual"]),
    ("com.google.code.gson", "2.9.1", ["gson"]),
    ("com.google.protobuf", "3.21.12", ["protobuf-java", "protobuf-java-util"]),
    ("com.google.inject", "5.1.0", ["guice"]),
    ("io.grpc", "1.53.0", [
        "grpc-api", "grpc-core", "grpc-context", "grpc-stub"]),
    ("com.zaxxer", "4.0.3", ["HikariCP"]),
    ("org.postgresql", "42.3.8", ["postgresql"]),
    ("com.mysql", "8.0.33", ["mysql-connector-j"]),
    ("com.h2database", "2.1.214", ["h2"]),
    ("org.mariadb.jdbc", "3.0.11", ["mariadb-java-client"]),
    ("org.flywaydb", "8.5.13", ["flyway-core"]),
    ("org.liquibase", "4.9.1", ["liquibase-core"]),
    ("org.mybatis", "3.5.13", ["mybatis"]),
    ("org.mybatis", "2.1.1", ["mybatis-spring"]),
    ("org.jooq", "3.14.16", ["jooq"]),
    ("io.lettuce", "6.1.10.RELEASE", ["lettuce-core"]),
    ("redis.clients", "3.8.0", ["jedis"]),
    ("com.rabbitmq", "5.14.3", ["amqp-client"]),
    ("org.apache.kafka", "3.1.2", ["kafka-clients"]),
    ("org.springframework.kafka", "2.8.11", ["spring-kafka"]),
    ("org.xerial.snappy", "1.1.8.4", ["snappy-java"]),
    ("org.lz4", "1.8.0", ["lz4-java"]),
    ("com.github.luben", "1.5.0-4", ["zstd-jni"]),
    ("org.yaml", "1.30", ["snakeyaml"]),
    ("org.thymeleaf", "3.0.15.RELEASE", ["thymeleaf", "thymeleaf-spring5"]),
    ("org.thymeleaf.extras", "3.0.4.RELEASE", ["thymeleaf-extras-java8time"]),
    ("org.attoparser", "2.0.5.RELEASE", ["attoparser"]),
    ("org.unbescape", "1.1.6.RELEASE", ["unbescape"]),
    ("org.freemarker", "2.3.32", ["freemarker"]),
    ("org.apache.velocity", "1.7", ["velocity"]),
    ("io.micrometer", "1.9.17", ["micrometer-core", "micrometer-registry-prometheus"]),
    ("io.prometheus", "0.15.0", ["simpleclient", "simpleclient_common"]),
    ("org.hdrhistogram", "2.1.12", ["HdrHistogram"]),
    ("org.latencyutils", "2.0.3", ["LatencyUtils"]),
    ("io.dropwizard.metrics", "4.2.22", ["metrics-core", "metrics-jvm"]),
    ("io.swagger.core.v3", "2.2.8", ["swagger-annotations", "swagger-core", "swagger-models"]),
    ("org.springdoc", "1.6.15", ["springdoc-openapi-ui", "springdoc-openapi-webmvc-core", "springdoc-openapi-common"]),
    ("org.webjars", "4.15.5", ["swagger-ui"]),
    ("org.webjars", "3.6.4", ["jquery"]),
    ("org.webjars", "5.2.3", ["bootstrap"]),
    ("io.jsonwebtoken", "0.11.5", ["jjwt-api", "jjwt-impl", "jjwt-jackson"]),
    ("com.nimbusds", "9.22", ["nimbus-jose-jwt"]),
    ("com.nimbusds", "9.37.3", ["oauth2-oidc-sdk"]),
    ("com.nimbusds", "2.4.2", ["content-type"]),
    ("net.minidev", "2.4.11", ["json-smart"]),
    ("net.minidev", "2.4.11", ["accessors-smart"]),
    ("org.ow2.asm", "9.3", ["asm", "asm-commons", "asm-tree", "asm-analysis"]),
    ("org.bouncycastle", "1.70", ["bcprov-jdk15on", "bcpkix-jdk15on", "bcutil-jdk15on"]),
    ("org.apache.shiro", "1.10.1", ["shiro-core", "shiro-web", "shiro-spring"]),
    ("org.apache.poi", "5.2.3", ["poi", "poi-ooxml", "poi-ooxml-lite"]),
    ("org.apache.xmlbeans", "5.1.1", ["xmlbeans"]),
    ("com.github.virtuald", "0.12", ["curvesapi"]),
    ("org.apache.pdfbox", "2.0.27", ["pdfbox", "fontbox"]),
    ("com.itextpdf", "5.5.13.3", ["itextpdf"]),
    ("org.jsoup", "1.15.3", ["jsoup"]),
    ("xerces", "2.12.2", ["xercesImpl"]),
    ("xml-apis", "1.4.01", ["xml-apis"]),
    ("dom4j", "1.6.1", ["dom4j"]),
    ("org.dom4j", "2.1.3", ["dom4j"]),
    ("jaxen", "1.2.0", ["jaxen"]),
    ("com.thoughtworks.xstream", "1.4.19", ["xstream"]),
    ("io.github.x-stream", "1.0.23", ["mxparser"]),
    ("xmlpull", "1.1.3.1", ["xmlpull"]),
    ("org.codehaus.woodstox", "4.2.1", ["stax2-api"]),
    ("joda-time", "2.10.14", ["joda-time"]),
    ("org.quartz-scheduler", "2.3.2", ["quartz"]),
    ("com.mchange", "0.9.5.4", ["c3p0"]),
    ("com.mchange", "0.2.15", ["mchange-commons-java"]),
    ("org.ehcache", "3.10.8", ["ehcache"]),
    ("com.github.ben-manes.caffeine", "2.9.3", ["caffeine"]),
    ("software.amazon.awssdk", "2.20.162", [
        "s3", "sts", "sdk-core", "aws-core", "auth", "regions", "utils",
        "apache-client"]),
    ("software.amazon.eventstream", "1.0.1", ["eventstream"]),
    ("com.amazonaws", "1.12.470", ["aws-java-sdk-core", "aws-java-sdk-s3", "aws-java-sdk-kms", "jmespath-java"]),
    ("io.opentelemetry", "1.28.0", ["opentelemetry-api", "opentelemetry-context", "opentelemetry-sdk"]),
    ("org.mapstruct", "1.5.3.Final", ["mapstruct"]),
    ("org.projectlombok", "1.18.30", ["lombok"]),
    ("org.modelmapper", "3.1.1", ["modelmapper"]),
    ("com.jayway.jsonpath", "2.7.0", ["json-path"]),
    ("org.json", "20230227", ["json"]),
    ("com.alibaba", "1.2.83", ["fastjson"]),
    ("org.apache.tika", "2.4.1", ["tika-core"]),
    ("org.apache.velocity", "2.3", ["velocity-engine-core"]),
    ("org.junit.jupiter", "5.8.2", ["junit-jupiter", "junit-jupiter-api", "junit-jupiter-engine", "junit-jupiter-params"]),
    ("org.junit.platform", "1.8.2", ["junit-platform-commons", "junit-platform-engine"]),
    ("org.opentest4j", "1.2.0", ["opentest4j"]),
    ("org.apiguardian", "1.1.2", ["apiguardian-api"]),
    ("junit", "4.13.2", ["junit"]),
    ("org.hamcrest", "2.2", ["hamcrest"]),
    ("org.mockito", "4.5.1", ["mockito-core", "mockito-junit-jupiter"]),
    ("org.objenesis", "3.2", ["objenesis"]),
    ("org.assertj", "3.22.0", ["assertj-core"]),
    ("org.skyscreamer", "1.5.1", ["jsonassert"]),
    ("com.vaadin.external.google", "1.1.0.0", ["android-json"]),
    ("org.xmlunit", "2.9.1", ["xmlunit-core"]),
    ("net.java.dev.jna", "5.8.0", ["jna"]),
]

WAR_LIBS = 40  # the first this many JARs (in sorted order) go into the WAR too
STAMP = (2023, 11, 20, 10, 0, 0)


def coordinates():
    out, seen = [], set()
    for group, version, artifacts in FAMILIES:
        for a in artifacts:
            # Should one artifactId at one version come from two groups, the
            # file name carries the group, as Maven's copy-dependencies does
            # with prependGroupId.
            file = f"{a}-{version}.jar"
            if file in seen:
                file = f"{group}.{a}-{version}.jar"
            seen.add(file)
            out.append((group, a, version, file))
    return out


def entry(z, name, data):
    info = zipfile.ZipInfo(name, STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    z.writestr(info, data)


def pom_properties(group, artifact, version):
    return (f"#Created by Apache Maven 3.8.6\nversion={version}\n"
            f"groupId={group}\nartifactId={artifact}\n")


def pom_xml(group, artifact, version, packaging="jar"):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        "  <modelVersion>4.0.0</modelVersion>\n"
        f"  <groupId>{group}</groupId>\n  <artifactId>{artifact}</artifactId>\n"
        f"  <version>{version}</version>\n  <packaging>{packaging}</packaging>\n"
        "</project>\n")


def manifest(group, artifact, version):
    return ("Manifest-Version: 1.0\r\nCreated-By: Maven JAR Plugin 3.3.0\r\n"
            "Build-Jdk-Spec: 1.8\r\n"
            f"Implementation-Title: {artifact}\r\nImplementation-Version: {version}\r\n"
            f"Implementation-Vendor-Id: {group}\r\n"
            f"Bundle-SymbolicName: {group}.{artifact}\r\nBundle-Version: {version}\r\n\r\n")


def classes(z, rng, package, count):
    for i in range(count):
        size = rng.randint(600, 12000)
        # class-file magic and a Java 8 version, then noise that deflate
        # cannot shrink much, as it cannot shrink real bytecode much either.
        body = b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + rng.randbytes(size)
        entry(z, f"{package}/C{i:03d}.class", body)


def jar(path, group, artifact, version, rng):
    with zipfile.ZipFile(path, "w") as z:
        entry(z, "META-INF/MANIFEST.MF", manifest(group, artifact, version))
        base = f"META-INF/maven/{group}/{artifact}"
        entry(z, f"{base}/pom.properties", pom_properties(group, artifact, version))
        entry(z, f"{base}/pom.xml", pom_xml(group, artifact, version))
        package = "/".join(group.split(".") + [artifact.replace("-", "").replace(".", "")])
        classes(z, rng, package, rng.randint(3, 40))


def main():
    out = sys.argv[1]
    lib = os.path.join(out, "lib")
    os.makedirs(lib, exist_ok=True)
    os.makedirs(os.path.join(out, "webapps"), exist_ok=True)
    rng = random.Random(20231120)
    coords = coordinates()
    assert len(coords) == 300, len(coords)
    for group, artifact, version, file in coords:
        jar(os.path.join(lib, file), group, artifact, version, rng)
    with zipfile.ZipFile(os.path.join(out, "webapps", "shop.war"), "w") as z:
        group, artifact, version = "com.example.shop", "shop-web", "1.4.2"
        entry(z, "META-INF/MANIFEST.MF", manifest(group, artifact, version))
        base = f"META-INF/maven/{group}/{artifact}"
        entry(z, f"{base}/pom.properties", pom_properties(group, artifact, version))
        entry(z, f"{base}/pom.xml", pom_xml(group, artifact, version, "war"))
        entry(z, "WEB-INF/web.xml", '<?xml version="1.0"?>\n<web-app version="4.0"/>\n')
        classes(z, rng, "WEB-INF/classes/com/example/shop", 12)
        for _, _, _, file in sorted(coords, key=lambda c: c[3])[:WAR_LIBS]:
            info = zipfile.ZipInfo(f"WEB-INF/lib/{file}", STAMP)
            info.compress_type = zipfile.ZIP_STORED  # as the war plugin stores JARs
            info.external_attr = 0o644 << 16
            with open(os.path.join(lib, file), "rb") as f:
                z.writestr(info, f.read())
    print(f"{len(coords)} JARs in {lib}, and shop.war with {WAR_LIBS} of them")


if __name__ == "__main__":
    main()
